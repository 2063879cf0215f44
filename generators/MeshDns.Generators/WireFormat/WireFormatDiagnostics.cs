namespace MeshDns.Generators.WireFormat;

/// <summary>Errors reported for declarations the wire-format generator cannot turn into code.</summary>
public static class WireFormatDiagnostics
{
    private const string Category = "MeshDns.WireFormat";

    public static readonly DiagnosticDescriptor NotPartial = Rules.Create(
        Category, "MDNS001", "Wire-format type must be partial", "Type '{0}' has [DnsWireFormat] but is not declared partial");

    public static readonly DiagnosticDescriptor FieldTypeMismatch = Rules.Create(
        Category, "MDNS002", "Field type does not match its wire kind", "Field '{0}' is declared as {1} but its type is '{2}'; use '{3}'");

    public static readonly DiagnosticDescriptor RestNotLast = Rules.Create(
        Category, "MDNS003", "A field that takes the rest of the data must be last", "Field '{0}' of kind {1} consumes the remaining data and must be the last field");

    public static readonly DiagnosticDescriptor NoFields = Rules.Create(
        Category, "MDNS004", "Wire-format type has no fields", "Type '{0}' has [DnsWireFormat] but no field carries [DnsField]");

    public static readonly DiagnosticDescriptor BadBits = Rules.Create(
        Category, "MDNS005", "Invalid bit-field property", "Property '{0}': {1}");

    public static readonly DiagnosticDescriptor NeedsRefStruct = Rules.Create(
        Category, "MDNS006", "Span-backed fields need a ref struct", "Field '{0}' holds a span or a name, so '{1}' must be a ref struct");

    public static readonly DiagnosticDescriptor UnsupportedShape = Rules.Create(
        Category, "MDNS007", "Unsupported wire-format type shape", "Type '{0}' cannot be generated: {1}");

    public static readonly DiagnosticDescriptor UnknownKind = Rules.Create(
        Category, "MDNS008", "Unknown field kind", "Field '{0}' uses unknown DnsFieldKind value {1}");
}
