using MeshDns.Generators.Crd;
using MeshDns.Generators.Crd.Model;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>The generated models of the project's ServiceEntry CRD and of a synthetic CRD, against baselines.</summary>
public class CrdSnapshotTests
{
    [Fact]
    public void ServiceEntry_models_match_baseline()
    {
        CrdRunOutcome run = CrdHarness.Run(("/src/serviceentries.crd.yaml", CrdHarness.ServiceEntryCrd()));

        Assert.Empty(run.Diagnostics);
        Assert.Equal(["MeshDns.Models.KubernetesMeta.g.cs", "MeshDns.Models.ServiceEntry.g.cs"], run.HintNames);
        CrdBaseline.Verify("MeshDns.Models.ServiceEntry.g.cs.txt", run.Source("MeshDns.Models.ServiceEntry.g.cs"));
        CrdBaseline.Verify("MeshDns.Models.KubernetesMeta.g.cs.txt", run.Source("MeshDns.Models.KubernetesMeta.g.cs"));
        Assert.Empty(run.CompilationProblems());
    }

    [Fact]
    public void ServiceEntry_type_names_are_the_contract()
    {
        CrdRunOutcome run = CrdHarness.Run(("/src/serviceentries.crd.yaml", CrdHarness.ServiceEntryCrd()));
        CrdModel model = Assert.Single(Assert.Single(run.Result.TrackedSteps[CrdModelGenerator.ParseStep]).Outputs.Select(o => (CrdFileResult)o.Value)).Crds.Single();

        Assert.Equal(
            [
                "ServiceEntry", "ServiceEntryList", "ServiceEntrySpec", "ServiceEntrySpecPortsItem", "ServiceEntrySpecEndpointsItem",
                "ServiceEntrySpecWorkloadSelector", "ServiceEntryStatus", "ServiceEntryStatusAddressesItem", "ServiceEntryStatusConditionsItem",
            ],
            model.Classes.Select(c => c.Name));
        Assert.Equal(["ServiceEntrySpecLocationValues", "ServiceEntrySpecResolutionValues"], model.Enums.Select(e => e.Name));
        Assert.Equal(
            [("None", "NONE"), ("Static", "STATIC"), ("Dns", "DNS"), ("DnsRoundRobin", "DNS_ROUND_ROBIN"), ("DynamicDns", "DYNAMIC_DNS")],
            model.Enums[1].Values.Select(v => (v.Name, v.Value)));
        Assert.Equal(("v1", "networking.istio.io", "ServiceEntryList"), (model.StorageVersion, model.Group, model.ListKind));
        Assert.Equal("serviceentries", model.Plural);
        Assert.Equal(["v1", "v1beta1", "v1alpha3"], model.ServedVersions);
    }

    [Fact]
    public void Constants_class_has_the_identity_and_the_served_versions_in_crd_order()
    {
        string yaml = CrdSamples.GadgetVersions("""
            - name: v2
              served: true
              storage: false
              schema: {openAPIV3Schema: {type: object}}
            - name: v0
              served: false
              storage: false
            - name: v1
              served: true
              storage: true
              schema: {openAPIV3Schema: {type: object}}
            """);
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GadgetPath, yaml));
        string source = run.Source("MeshDns.Models.Gadget.g.cs");

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationProblems());
        Assert.Contains("public static class GadgetCrd", source, StringComparison.Ordinal);
        Assert.Contains("public const string Group = \"example.com\";", source, StringComparison.Ordinal);
        Assert.Contains("public const string Plural = \"gadgets\";", source, StringComparison.Ordinal);
        Assert.Contains("public const string StorageVersion = \"v1\";", source, StringComparison.Ordinal);
        Assert.Contains("Versions { get; } = [\"v2\", \"v1\"];", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Synthetic_models_match_baseline()
    {
        CrdRunOutcome run = CrdHarness.Run(("/crds/widgets.crd.yaml", CrdSamples.Widget));

        Assert.Empty(run.Diagnostics);
        Assert.Equal(["MeshDns.Models.KubernetesMeta.g.cs", "MeshDns.Models.Widget.g.cs"], run.HintNames);
        CrdBaseline.Verify("MeshDns.Models.Widget.g.cs.txt", run.Source("MeshDns.Models.Widget.g.cs"));
        Assert.Empty(run.CompilationProblems());

        // Documentation diagnostics are on for generated code (members without a description have no docs), so
        // the check above would have caught malformed XML in the escaped descriptions.
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS1591");
    }

    [Fact]
    public void Namespace_comes_from_the_build_property()
    {
        CrdRunOutcome run = CrdHarness.RunWith("Custom.Crds", ("/crds/widgets.crd.yaml", CrdSamples.Widget));

        Assert.Empty(run.Diagnostics);
        Assert.Equal(["Custom.Crds.KubernetesMeta.g.cs", "Custom.Crds.Widget.g.cs"], run.HintNames);
        Assert.Contains("namespace Custom.Crds;", run.Source("Custom.Crds.Widget.g.cs"), StringComparison.Ordinal);
        Assert.Empty(run.CompilationProblems());
    }

    [Fact]
    public void Standard_types_are_emitted_once_for_several_crds()
    {
        CrdRunOutcome run = CrdHarness.Run(
            ("/crds/widgets.crd.yaml", CrdSamples.Widget),
            (CrdSamples.GoodPath, CrdSamples.Good),
            ("/src/serviceentries.crd.yaml", CrdHarness.ServiceEntryCrd()));

        Assert.Empty(run.Diagnostics);
        Assert.Equal(
            ["MeshDns.Models.Good.g.cs", "MeshDns.Models.KubernetesMeta.g.cs", "MeshDns.Models.ServiceEntry.g.cs", "MeshDns.Models.Widget.g.cs"],
            run.HintNames);
        Assert.Empty(run.CompilationProblems());
    }

    [Fact]
    public void Several_crds_in_one_file_each_get_their_models()
    {
        CrdRunOutcome run = CrdHarness.Run(("/crds/all.crd.yaml", CrdSamples.Widget + "\n---\n" + CrdSamples.Good + "\n---\n"));

        Assert.Empty(run.Diagnostics);
        Assert.Equal(["MeshDns.Models.Good.g.cs", "MeshDns.Models.KubernetesMeta.g.cs", "MeshDns.Models.Widget.g.cs"], run.HintNames);
    }

    [Fact]
    public void Other_additional_files_are_ignored()
    {
        CrdRunOutcome run = CrdHarness.Run(("/crds/widgets.yaml", CrdSamples.Widget), ("/crds/notes.txt", "not yaml: [ at all"));

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.Sources);
    }
}
