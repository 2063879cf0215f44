namespace MeshDns.Generators.Common;

/// <summary>The generators' diagnostic descriptors: on by default, one category per generator.</summary>
internal static class Rules
{
    public static DiagnosticDescriptor Create(string category, string id, string title, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error) =>
        new(id, title, message, category, severity, isEnabledByDefault: true);
}
