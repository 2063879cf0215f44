using MeshDns.Generators.Crd.Model;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>
/// Istio's own ServiceEntry CRD (a reference copy outside the repository) must read and model cleanly: it is
/// the real-world YAML (multi-line plain and quoted scalars, quoted keys, indentless sequences, int-or-string
/// anyOf, CEL validations) the reader is written for. Skipped where the copy is absent; the repository builds
/// and tests without it.
/// </summary>
public class UpstreamCrdTests
{
    [UpstreamCrdFact]
    public void Istio_serviceentry_crd_generates_models_without_diagnostics()
    {
        CrdRunOutcome run = CrdHarness.Run(("/reference/serviceentry.crd.yaml", File.ReadAllText(UpstreamCrdFactAttribute.Path)));

        Assert.Empty(run.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(["MeshDns.Models.KubernetesMeta.g.cs", "MeshDns.Models.ServiceEntry.g.cs"], run.HintNames);
        Assert.Empty(run.CompilationProblems());

        CrdModel model = ((CrdFileResult)run.Result.TrackedSteps[Generators.Crd.CrdModelGenerator.ParseStep].Single().Outputs.Single().Value).Crds.Single();
        Assert.Equal("v1", model.StorageVersion);
        CrdClassModel spec = model.Classes.Single(c => c.Name == "ServiceEntrySpec");
        Assert.Contains(spec.Properties, p => p.Name == "Hosts" && p.Type == "global::System.Collections.Generic.List<string>?" && p.Required);
        Assert.Contains(spec.Properties, p => p.Name == "Resolution" && p.EnumClass == "ServiceEntrySpecResolutionValues");
        Assert.Contains(model.Enums, e => e.Name == "ServiceEntryStatusValidationMessagesItemLevelValues");
        Assert.Contains(model.Classes, c => c.Name == "ServiceEntryStatusValidationMessagesItemType");

        // A literal block (|-), a plain scalar over two lines, a single-quoted scalar over two lines.
        Assert.Equal(
            "Specify whether the service should be considered external to the mesh or part of the mesh.\n\nValid Options: MESH_EXTERNAL, MESH_INTERNAL",
            spec.Properties.Single(p => p.Name == "Location").Summary);
        Assert.Equal(
            "Address associated with the network endpoint without the port.",
            model.Classes.Single(c => c.Name == "ServiceEntrySpecEndpointsItem").Properties.Single(p => p.Name == "Address").Summary);
        Assert.Equal("Configuration affecting service registry. See more details at: https://istio.io/docs/reference/config/networking/service-entry.html", spec.Summary);

    }
}

/// <summary>A fact that is skipped, with the reason, when Istio's reference CRD is not beside the repository.</summary>
public sealed class UpstreamCrdFactAttribute : FactAttribute
{
    /// <summary>MESHDNS_UPSTREAM_CRD, or <c>../shared/reference/serviceentry-crd.upstream.yaml</c> from the repository root.</summary>
    public static string Path =>
        Environment.GetEnvironmentVariable("MESHDNS_UPSTREAM_CRD") is { Length: > 0 } path
            ? path
            : System.IO.Path.GetFullPath(System.IO.Path.Combine(CrdHarness.RepositoryRoot(), "..", "shared", "reference", "serviceentry-crd.upstream.yaml"));

    public UpstreamCrdFactAttribute()
    {
        if (!File.Exists(Path))
        {
            Skip = $"Istio's reference ServiceEntry CRD is not at '{Path}' (set MESHDNS_UPSTREAM_CRD to a copy); the project does not ship it.";
        }
    }
}
