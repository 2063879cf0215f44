namespace MeshDns.Generators.Crd;

/// <summary>Problems reported for <c>*.crd.yaml</c> files the CRD model generator cannot turn into code.</summary>
public static class CrdDiagnostics
{
    private const string Category = "MeshDns.Crd";

    public static readonly DiagnosticDescriptor InvalidYaml = Rules.Create(
        Category, "MDNS101", "Invalid or unsupported YAML", "{0}");

    public static readonly DiagnosticDescriptor NotACrd = Rules.Create(
        Category, "MDNS102", "Document is not a CustomResourceDefinition", "Document at line {0} is not an apiextensions.k8s.io/v1 CustomResourceDefinition: {1}");

    public static readonly DiagnosticDescriptor InvalidCrd = Rules.Create(
        Category, "MDNS103", "Invalid CustomResourceDefinition", "CustomResourceDefinition '{0}': {1}");

    public static readonly DiagnosticDescriptor UnsupportedSchema = Rules.Create(
        Category, "MDNS104", "Unsupported schema construct", "CustomResourceDefinition '{0}', schema '{1}': {2}");

    public static readonly DiagnosticDescriptor InvalidName = Rules.Create(
        Category, "MDNS105", "Name is not a valid C# identifier", "CustomResourceDefinition '{0}', schema '{1}': '{2}' does not make a valid C# identifier ('{3}')");

    public static readonly DiagnosticDescriptor NameConflict = Rules.Create(
        Category, "MDNS106", "Generated name conflict", "CustomResourceDefinition '{0}': {1}");

    public static readonly DiagnosticDescriptor VersionSchemasDiffer = Rules.Create(
        Category, "MDNS107", "Served versions have different schemas", "CustomResourceDefinition '{0}': served version(s) {1} have a schema different from the storage version '{2}'; the models follow '{2}'", DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InvalidNamespace = Rules.Create(
        Category, "MDNS108", "Invalid models namespace", "MeshDnsModelsNamespace '{0}' is not a valid C# namespace; no CRD models are generated");
}
