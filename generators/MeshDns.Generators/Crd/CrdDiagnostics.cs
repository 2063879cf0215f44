namespace MeshDns.Generators.Crd;

/// <summary>Problems reported for <c>*.crd.yaml</c> files the CRD model generator cannot turn into code.</summary>
public static class CrdDiagnostics
{
    private const string Category = "MeshDns.Crd";

    public static readonly DiagnosticDescriptor InvalidYaml = new(
        "MDNS101", "Invalid or unsupported YAML", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotACrd = new(
        "MDNS102", "Document is not a CustomResourceDefinition", "Document at line {0} is not an apiextensions.k8s.io/v1 CustomResourceDefinition: {1}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidCrd = new(
        "MDNS103", "Invalid CustomResourceDefinition", "CustomResourceDefinition '{0}': {1}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedSchema = new(
        "MDNS104", "Unsupported schema construct", "CustomResourceDefinition '{0}', schema '{1}': {2}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidName = new(
        "MDNS105", "Name is not a valid C# identifier", "CustomResourceDefinition '{0}', schema '{1}': '{2}' does not make a valid C# identifier ('{3}')", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NameConflict = new(
        "MDNS106", "Generated name conflict", "CustomResourceDefinition '{0}': {1}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor VersionSchemasDiffer = new(
        "MDNS107", "Served versions have different schemas", "CustomResourceDefinition '{0}': served version(s) {1} have a schema different from the storage version '{2}'; the models follow '{2}'", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidNamespace = new(
        "MDNS108", "Invalid models namespace", "MeshDnsModelsNamespace '{0}' is not a valid C# namespace; no CRD models are generated", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
