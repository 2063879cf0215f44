using MeshDns.Generators.Tests.Support;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>Baselines under <c>Baselines/Crd/</c>, compared and rewritten by <see cref="Baseline"/>.</summary>
internal static class CrdBaseline
{
    public static void Verify(string name, string actual) => Baseline.Verify(Path.Combine("Crd", name), actual);
}
