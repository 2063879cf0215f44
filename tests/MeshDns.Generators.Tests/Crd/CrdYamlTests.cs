using MeshDns.Generators.Crd;
using MeshDns.Generators.Crd.Model;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>
/// The YAML reader's scalar semantics, seen through the model: a property's description is exactly the scalar
/// the reader produced (escaping for XML happens later, in the emitter). Expected values are what a full YAML
/// 1.2 parser gives.
/// </summary>
public class CrdYamlTests
{
    [Theory]
    [InlineData("description: hello world", "hello world")]
    [InlineData("description: a # a comment", "a")]
    [InlineData("description: a#b and c:d", "a#b and c:d")]
    [InlineData("description: first\n  second\n\n  third", "first second\nthird")]
    [InlineData("description: first\n  # a comment ends it", "first")]
    [InlineData("description: 'it''s: quoted # not a comment'", "it's: quoted # not a comment")]
    [InlineData("description: 'folded\n  over   \n\n  lines'", "folded over\nlines")]
    [InlineData("description: \"tab\\there \\u00e9\\x41 \\\\ \\\"q\\\" \\/\"", "tab\there éA \\ \"q\" /")]
    [InlineData("description: \"joined\\\n  without space\"", "joinedwithout space")]
    [InlineData("description: \"a\n  b\"", "a b")]
    [InlineData("description: |\n  line one\n    indented\n\n  line three\n", "line one\n  indented\n\nline three\n")]
    [InlineData("description: |-\n  stripped\n\n", "stripped")]
    [InlineData("description: |+\n  kept\n", "kept\n\n")]
    [InlineData("description: >\n  folded\n  text\n\n  para\n", "folded text\npara\n")]
    [InlineData("description: >-\n  a\n    more indented\n  b", "a\n  more indented\nb")]
    [InlineData("description: |1\n   two extra spaces", "  two extra spaces\n")]
    [InlineData("description: >2-\n    keep\n    these", "  keep\n  these")]
    [InlineData("description: |  # a comment after the header\n  text", "text\n")]
    [InlineData("description:\n  on the next line\n  and folded", "on the next line and folded")]
    [InlineData("\"description\": quoted key", "quoted key")]
    [InlineData("description: ~", null)]
    [InlineData("description: 'multi\n  line' # comment", "multi line")]
    public void Scalar_value(string description, string? expected)
    {
        Assert.Equal(expected, DescriptionOf(description));
    }

    [Fact]
    public void Byte_order_mark_and_document_markers_are_accepted()
    {
        string yaml = "\uFEFF# leading comment\n---\n" + CrdSamples.Good + "\n...\n---\n# empty document\n";
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GoodPath, yaml));

        Assert.Empty(run.Diagnostics);
        Assert.Contains("MeshDns.Models.Good.g.cs", run.HintNames);
    }

    [Fact]
    public void Flow_and_block_collections_read_alike()
    {
        string block = CrdSamples.Gadget("""
            mode:
              type: string
              enum:
              - A_B
              - 'c d'
              - "e"
            """);
        string flow = CrdSamples.Gadget("mode: {type: string, enum: [A_B, 'c d', \"e\"]}");

        CrdModel fromBlock = Model(block);
        CrdModel fromFlow = Model(flow);

        Assert.Equal([("AB", "A_B"), ("CD", "c d"), ("E", "e")], fromBlock.Enums.Single().Values.Select(v => (v.Name, v.Value)));
        Assert.Equal(fromBlock.Classes, fromFlow.Classes);
        Assert.Equal(fromBlock.Enums, fromFlow.Enums);
    }

    [Fact]
    public void Sequences_may_be_indented_or_not_under_their_key()
    {
        string indented = CrdSamples.Gadget("mode:\n  type: string\n  enum:\n    - X\n    - Y");
        string flush = CrdSamples.Gadget("mode:\n  type: string\n  enum:\n  - X\n  - Y");

        Assert.Equal(Model(indented).Enums, Model(flush).Enums);
    }

    private static CrdModel Model(string yaml)
    {
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GadgetPath, yaml));
        Assert.Empty(run.Diagnostics.Select(d => d.ToString()));
        return ((CrdFileResult)run.Result.TrackedSteps[CrdModelGenerator.ParseStep].Single().Outputs.Single().Value).Crds.Single();
    }

    /// <summary>The description of spec.p, a string property whose schema has the given description line(s).</summary>
    private static string? DescriptionOf(string description)
    {
        string yaml = CrdSamples.Gadget("p:\n  type: string\n" + CrdSamples.Indent(description, 2) + "\nq:\n  type: string");
        return Model(yaml).Classes.Single(c => c.Name == "GadgetSpec").Properties.Single(p => p.Name == "P").Summary;
    }
}
