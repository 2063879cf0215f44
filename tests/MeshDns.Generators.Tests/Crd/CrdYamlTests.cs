using MeshDns.Generators.Crd;
using MeshDns.Generators.Crd.Model;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>YAML forms a CRD file may use (YamlDotNet reads them): the same CRD written differently is the same model.</summary>
public class CrdYamlTests
{
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

    private static CrdModel Model(string yaml)
    {
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GadgetPath, yaml));
        Assert.Empty(run.Diagnostics.Select(d => d.ToString()));
        return ((CrdFileResult)run.Result.TrackedSteps[CrdModelGenerator.ParseStep].Single().Outputs.Single().Value).Crds.Single();
    }
}
