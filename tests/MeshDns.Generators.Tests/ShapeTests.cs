using MeshDns.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace MeshDns.Generators.Tests;

/// <summary>
/// Declarations off the main path. The rule: a [DnsWireFormat] type gets either source that compiles or an MDNS
/// error, never silence and never broken output.
/// </summary>
public class ShapeTests
{
    [Theory]
    [InlineData("public partial struct P { [DnsField(DnsFieldKind.U16)] private ushort _a; internal ushort A => _a; }")]
    [InlineData("internal partial struct P { [DnsField(DnsFieldKind.U16)] public ushort A; }")]
    [InlineData("public partial struct P { [DnsField(DnsFieldKind.U16)] public ushort A; } public partial struct P { [DnsField(DnsFieldKind.U8)] public byte B; }")]
    [InlineData("public partial struct P { [DnsField(DnsFieldKind.U16)] public ushort A; public ushort NotOnWire; public static int Helper() => 1; }")]
    [InlineData("public ref partial struct P { [DnsField(DnsFieldKind.U16)] public ushort A; [DnsBits(nameof(A), 0, 1)] private partial bool Low { get; set; } }")]
    [InlineData("public partial struct P { [DnsField(DnsFieldKind.U16)] public readonly ushort A; }")]
    [InlineData("public readonly partial struct P { [DnsField(DnsFieldKind.U16)] public readonly ushort A; }")]
    [InlineData("public partial struct @class { [DnsField(DnsFieldKind.U16)] public ushort @event; }")]
    [InlineData("public partial record struct P { [DnsField(DnsFieldKind.U16)] public ushort A; }")]
    [InlineData("file partial struct P { [DnsField(DnsFieldKind.U16)] public ushort A; }")]
    [InlineData("public partial struct P { [DnsField(DnsFieldKind.U16)] public ushort A; [DnsBits(nameof(A), 0, 1)] public static partial bool B { get; set; } }")]
    [InlineData("public partial struct P { [DnsField(DnsFieldKind.U16)] public ushort A; [DnsBits(nameof(A), 0, 1)] public partial bool B { get; init; } }")]
    [InlineData("public partial struct P { [DnsField(DnsFieldKind.U16)] public ushort A; [DnsBits(nameof(A), 0, 1)] public partial bool B { get; private set; } }")]
    [InlineData("public partial struct P { [DnsField(DnsFieldKind.U16)] public ushort A; [DnsBits(nameof(A), 0, 1)] public partial bool B { readonly get; set; } }")]
    public void Part_is_generated_and_compiles_or_is_rejected(string declaration)
    {
        GeneratorRunOutcome run = GeneratorHarness.Run("using System;\nusing MeshDns.Wire;\n\nnamespace Samples.Shapes;\n\n[DnsWireFormat]\n" + declaration);

        if (run.GeneratorDiagnostics.IsEmpty)
        {
            Assert.Single(run.Sources);
            Assert.Empty(run.CompilationProblems().Select(d => d.ToString()));
        }
        else
        {
            Assert.All(run.GeneratorDiagnostics, d =>
            {
                Assert.StartsWith("MDNS", d.Id, StringComparison.Ordinal);
                Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            });
            Assert.Empty(run.Sources);
        }
    }

    [Fact]
    public void Fields_split_over_several_declarations_are_rejected_because_their_order_is_undefined()
    {
        GeneratorRunOutcome run = GeneratorHarness.Run("""
            using MeshDns.Wire;

            namespace Samples.Shapes;

            [DnsWireFormat]
            public partial struct Split
            {
                [DnsField(DnsFieldKind.U16)] public ushort First;
            }

            public partial struct Split
            {
                [DnsField(DnsFieldKind.U8)] public byte Second;
            }
            """);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("MDNS007", diagnostic.Id);
        Assert.Contains("one partial declaration", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Nested_block_namespaces_are_joined()
    {
        GeneratorRunOutcome run = GeneratorHarness.Run("""
            using MeshDns.Wire;

            namespace Outer
            {
                namespace Inner
                {
                    [DnsWireFormat]
                    public partial struct Deep
                    {
                        [DnsField(DnsFieldKind.U8)] public byte A;
                    }
                }
            }
            """);

        GeneratedSourceResult source = Assert.Single(run.Sources);
        Assert.Equal("Outer.Inner.Deep.WireFormat.g.cs", source.HintName);
        Assert.Contains("namespace Outer.Inner;", source.SourceText.ToString(), StringComparison.Ordinal);
        Assert.Empty(run.CompilationProblems().Select(d => d.ToString()));
    }

    [Fact]
    public void Same_name_in_two_namespaces_gets_two_files()
    {
        GeneratorRunOutcome run = GeneratorHarness.Run(
            "using MeshDns.Wire;\nnamespace One;\n[DnsWireFormat] public partial struct Twin { [DnsField(DnsFieldKind.U8)] public byte A; }",
            "using MeshDns.Wire;\nnamespace Two;\n[DnsWireFormat] public partial struct Twin { [DnsField(DnsFieldKind.U16)] public ushort A; }");

        Assert.Equal(["One.Twin.WireFormat.g.cs", "Two.Twin.WireFormat.g.cs"], run.Sources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        Assert.Empty(run.CompilationProblems().Select(d => d.ToString()));
    }
}
