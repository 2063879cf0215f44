using MeshDns.Generators.WireFormat.Model;
using MeshDns.Wire;

namespace MeshDns.Generators.Tests;

/// <summary>The generator reads DnsFieldKind as an integer and maps it through its own WireFieldKind.</summary>
public class KindMirrorTests
{
    [Fact]
    public void WireFieldKind_mirrors_DnsFieldKind_name_for_name_and_value_for_value()
    {
        var runtime = Enum.GetValues<DnsFieldKind>().Select(k => (k.ToString(), (int)k));
        var generator = Enum.GetValues<WireFieldKind>().Select(k => (k.ToString(), (int)k));

        Assert.Equal(runtime, generator);
    }
}
