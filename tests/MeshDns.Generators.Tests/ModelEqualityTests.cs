using MeshDns.Generators.Common;
using MeshDns.Generators.WireFormat.Model;
using MeshDns.Generators.Tests.Support;
using MeshDns.Generators.WireFormat;
using Microsoft.CodeAnalysis;

namespace MeshDns.Generators.Tests;

/// <summary>
/// The pipeline caches by model equality, so two parses of the same text must give equal (not identical) models.
/// Parser is internal; the models are read from the tracked parse step instead.
/// </summary>
public class ModelEqualityTests
{
    [Fact]
    public void Same_declaration_parses_to_equal_models()
    {
        WirePartResult first = ParseSingle(Samples.Header);
        WirePartResult second = ParseSingle(Samples.Header);

        Assert.NotSame(first, second);
        Assert.NotSame(first.Model, second.Model);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.Equal(first.Model, second.Model);
    }

    [Fact]
    public void Parsed_model_describes_the_declaration()
    {
        WirePartModel model = ParseSingle(Samples.Header).Model!;

        var expected = new WirePartModel(
            "Samples.Headers",
            "SampleHeader",
            IsRefStruct: false,
            new EquatableArray<WireFieldModel>(new WireFieldModel[]
            {
                new("Id", WireFieldKind.U16),
                new("Flags", WireFieldKind.U16),
                new("Mode", WireFieldKind.U8),
                new("Word", WireFieldKind.U32),
            }),
            new EquatableArray<WireBitsModel>(new WireBitsModel[]
            {
                new("IsResponse", "bool", "public", "Flags", "ushort", 15, 1),
                new("Opcode", "byte", "public", "Flags", "ushort", 11, 4),
                new("Rcode", "byte", "public", "Flags", "ushort", 0, 4),
                new("High", "bool", "internal", "Mode", "byte", 7, 1),
                new("Middle", "ushort", "public", "Word", "uint", 8, 16),
                new("All", "uint", "public", "Word", "uint", 0, 32),
            }));

        Assert.Equal(expected, model);
        Assert.Equal(9, model.FixedSize);
    }

    [Fact]
    public void Same_rejected_declaration_gives_equal_diagnostics()
    {
        const string source = """
            using MeshDns.Wire;

            [DnsWireFormat]
            public partial struct Unknown
            {
                [DnsField((DnsFieldKind)42)] public ushort Bad;
            }
            """;

        WirePartResult first = ParseSingle(source);
        WirePartResult second = ParseSingle(source);

        Assert.Null(first.Model);
        Assert.Equal(1, first.Diagnostics.Count);
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Theory]
    [InlineData("public ushort Count;", "public ushort Total;")]                            // field name
    [InlineData("[DnsField(DnsFieldKind.U16)] public ushort Count;", "[DnsField(DnsFieldKind.U32)] public uint Count;")] // kind
    [InlineData("(nameof(Id), 0, 1)", "(nameof(Id), 1, 1)")]                                 // bit shift
    [InlineData("public partial bool Low", "internal partial bool Low")]                     // accessibility
    [InlineData("public partial struct", "public ref partial struct")]                       // ref struct
    [InlineData("namespace Samples.Models;", "namespace Samples.Other;")]                    // namespace
    public void Any_change_to_the_declaration_gives_an_unequal_model(string oldText, string newText)
    {
        const string source = """
            using MeshDns.Wire;

            namespace Samples.Models;

            [DnsWireFormat]
            public partial struct Part
            {
                [DnsField(DnsFieldKind.U16)] public ushort Id;
                [DnsField(DnsFieldKind.U16)] public ushort Count;

                [DnsBits(nameof(Id), 0, 1)] public partial bool Low { get; set; }
            }
            """;
        Assert.Contains(oldText, source, StringComparison.Ordinal);

        WirePartModel before = ParseSingle(source).Model!;
        WirePartModel after = ParseSingle(source.Replace(oldText, newText, StringComparison.Ordinal)).Model!;

        Assert.NotEqual(before, after);
    }

    private static WirePartResult ParseSingle(string source)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(GeneratorHarness.CreateCompilation(source));
        IncrementalGeneratorRunStep step = Assert.Single(driver.GetRunResult().Results.Single().TrackedSteps[WireFormatGenerator.ParseStep]);
        return Assert.IsType<WirePartResult>(Assert.Single(step.Outputs).Value);
    }
}
