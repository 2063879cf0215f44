using System.Net;
using System.Net.Sockets;
using MeshDns.IntegrationTests;

namespace MeshDns.TestCases;

/// <summary><see cref="AddressCases"/> checked on the real process: its answers, warnings and count.</summary>
internal static class AddressCasesOverDns
{
    /// <summary>Checks a process serving exactly the case entries on <paramref name="port"/> (no --default-address).</summary>
    public static void Check(ServerProcess server, int port)
    {
        int bad = AddressCases.All.Count(c => c.Served is null);
        server.WaitForLine($"Have {(2 * AddressCases.All.Length) - bad} service entries ({2 * AddressCases.All.Length} read;", TimeSpan.FromSeconds(20));
        for (int i = 0; i < AddressCases.All.Length; i++)
        {
            (string text, string? served, string? reason) = AddressCases.All[i];
            IPAddress? ip = served is null ? null : IPAddress.Parse(served);
            Assert.Equal(Expected(ip, AddressCases.Good), Answers(port, AddressCases.MixedHost(i)));
            if (ip is null)
            {
                Assert.Equal("NXDOMAIN", DigResult.Run(port, AddressCases.AloneHost(i)).Status);
                foreach (string entry in new[] { $"mixed-{i}", $"alone-{i}" })
                {
                    string warning = $"ServiceEntry {AddressCases.Namespace}/{entry}: skipped spec.addresses[0] \"{text}\": {reason}";
                    Assert.Single(server.Lines, l => l.Contains(warning, StringComparison.Ordinal));
                }
            }
            else
            {
                Assert.Equal(Expected(ip, null), Answers(port, AddressCases.AloneHost(i)));
            }
        }
    }

    private static string[] Expected(IPAddress? served, string? good)
    {
        IEnumerable<IPAddress> all = new[] { served, good is null ? null : IPAddress.Parse(good) }.OfType<IPAddress>();
        return [.. all.Select(a => $"{(a.AddressFamily == AddressFamily.InterNetwork ? "A" : "AAAA")} {a}").Order(StringComparer.Ordinal)];
    }

    /// <summary>The host's A and AAAA records as "A 1.2.3.4" / "AAAA ::1", sorted (answers rotate).</summary>
    private static string[] Answers(int port, string host)
    {
        IEnumerable<string> v4 = DigResult.Run(port, host, "A").Data.Select(d => $"A {IPAddress.Parse(d)}");
        IEnumerable<string> v6 = DigResult.Run(port, host, "AAAA").Data.Select(d => $"AAAA {IPAddress.Parse(d)}");
        return [.. v4.Concat(v6).Order(StringComparer.Ordinal)];
    }
}
