namespace MeshDns.Generators.WireFormat;

/// <summary>Errors reported for declarations the wire-format generator cannot turn into code.</summary>
public static class WireFormatDiagnostics
{
    private const string Category = "MeshDns.WireFormat";

    public static readonly DiagnosticDescriptor NotPartial = new(
        "MDNS001", "Wire-format type must be partial", "Type '{0}' has [DnsWireFormat] but is not declared partial", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FieldTypeMismatch = new(
        "MDNS002", "Field type does not match its wire kind", "Field '{0}' is declared as {1} but its type is '{2}'; use '{3}'", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor RestNotLast = new(
        "MDNS003", "A field that takes the rest of the data must be last", "Field '{0}' of kind {1} consumes the remaining data and must be the last field", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoFields = new(
        "MDNS004", "Wire-format type has no fields", "Type '{0}' has [DnsWireFormat] but no field carries [DnsField]", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadBits = new(
        "MDNS005", "Invalid bit-field property", "Property '{0}': {1}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NeedsRefStruct = new(
        "MDNS006", "Span-backed fields need a ref struct", "Field '{0}' holds a span or a name, so '{1}' must be a ref struct", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedShape = new(
        "MDNS007", "Unsupported wire-format type shape", "Type '{0}' cannot be generated: {1}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownKind = new(
        "MDNS008", "Unknown field kind", "Field '{0}' uses unknown DnsFieldKind value {1}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
