using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace MeshDns.Generators.Common;

/// <summary>
/// A diagnostic kept as plain values (no syntax tree, no symbols) so it can live in a cached model.
/// </summary>
public sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor,
    string? FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan,
    EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        if (location is null || location.SourceTree is null)
        {
            return new DiagnosticInfo(descriptor, null, default, default, new EquatableArray<string>(arguments));
        }

        return new DiagnosticInfo(
            descriptor,
            location.SourceTree.FilePath,
            location.SourceSpan,
            location.GetLineSpan().Span,
            new EquatableArray<string>(arguments));
    }

    public Diagnostic ToDiagnostic()
    {
        Location location = FilePath is null ? Location.None : Location.Create(FilePath, Span, LineSpan);
        object[] args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++)
        {
            args[i] = Arguments[i];
        }

        return Diagnostic.Create(Descriptor, location, args);
    }
}
