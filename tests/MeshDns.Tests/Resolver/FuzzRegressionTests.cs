using MeshDns.Resolver;
using MeshDns.Tests.Support;

namespace MeshDns.Tests.Resolver;

/// <summary>Inputs found by <see cref="FuzzTests"/> (or by hand) that once broke something; each keeps its name.</summary>
public class FuzzRegressionTests
{
    public static TheoryData<string, string> Crashers() => new()
    {
        // No fuzzer crasher so far; these hand-picked edge inputs hold the place where finds go.
        { "pointer-into-header-question", "123401000001000000000000c00200010001" },
        { "opt-with-truncated-option", "1234010000010000000000010161000001000100002904d000000000000400080001" },
        { "huge-counts-no-data", "1234010000010000ffffffff0161000001000100" },
    };

    [Theory]
    [MemberData(nameof(Crashers))]
    public void Stays_well_behaved(string name, string hex)
    {
        _ = name;
        byte[] input = Convert.FromHexString(hex);
        DnsResolver resolver = Fixtures.Resolver(Fixtures.Table(Fixtures.Main));
        var stats = new int[4];
        foreach (DnsTransport transport in Enum.GetValues<DnsTransport>())
        {
            FuzzTests.CheckResolve(resolver, input, new byte[DnsResolver.MaxMessageSize], transport, stats);
        }

        FuzzTests.CheckRoundTrip(input, new byte[DnsResolver.MaxMessageSize], stats);
        Assert.Equal(3, stats[0]);
    }
}
