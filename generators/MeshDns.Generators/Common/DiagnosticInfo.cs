using Microsoft.CodeAnalysis.Text;

namespace MeshDns.Generators.Common;

/// <summary>A diagnostic kept as plain values (no syntax tree, no symbols) so it can live in a cached model.</summary>
public sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor,
    string? FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan,
    EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        location?.SourceTree is null
            ? new(descriptor, null, default, default, new(arguments))
            : new(descriptor, location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span, new(arguments));

    public Diagnostic ToDiagnostic() => Diagnostic.Create(
        Descriptor,
        FilePath is null ? Location.None : Location.Create(FilePath, Span, LineSpan),
        Arguments.Cast<object>().ToArray());
}
