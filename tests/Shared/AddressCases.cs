using System.Net;
using MeshDns.Table;

namespace MeshDns.TestCases;

/// <summary>
/// The address rule, as one case list that every source is tested with (file source, Kubernetes source,
/// decoder): each address is written as given into two STATIC entries of namespace <c>cases</c>, <c>mixed-N</c>
/// (the case and <see cref="Good"/>) and <c>alone-N</c> (the case only). A bad address is skipped by itself
/// with one warning naming the entry, path, value and reason; the entry keeps its other addresses, and an
/// entry left with none falls back like one that has none (here: not served, no --default-address).
/// </summary>
public static class AddressCases
{
    public const string Namespace = "cases";
    public const string Good = "240.0.0.9";

    /// <summary>The address as written; the address served, or null with the reason it is skipped.</summary>
    public static readonly (string Text, string? Served, string? Reason)[] All =
    [
        ("10.1.1.1", "10.1.1.1", null),
        ("10.1.1.2/32", "10.1.1.2", null),
        ("2001:db8::1", "2001:db8::1", null),
        ("2001:db8::2/128", "2001:db8::2", null),
        ("::ffff:10.1.1.3", "::ffff:10.1.1.3", null),
        ("10.1.1.300", null, ServedAddresses.InvalidReason),
        ("10", null, ServedAddresses.InvalidReason),
        ("0x7f.1", null, ServedAddresses.InvalidReason),
        ("1.2.3", null, ServedAddresses.InvalidReason),
        ("10.1.1.1/33", null, ServedAddresses.InvalidReason),
        ("fe80::1%eth0", null, ServedAddresses.InvalidReason),
        ("[2001:db8::3]", null, ServedAddresses.InvalidReason),
        ("nope", null, ServedAddresses.InvalidReason),
        ("10.2.0.0/16", null, ServedAddresses.RangeReason),
        ("2001:db8::/64", null, ServedAddresses.RangeReason),
    ];

    public static string MixedHost(int i) => $"mixed{i}.cases.global";

    public static string AloneHost(int i) => $"alone{i}.cases.global";

    /// <summary>Every case's two entries as (name, host, addresses as written).</summary>
    public static IEnumerable<(string Name, string Host, string[] Addresses)> Entries()
    {
        for (int i = 0; i < All.Length; i++)
        {
            yield return ($"mixed-{i}", MixedHost(i), [All[i].Text, Good]);
            yield return ($"alone-{i}", AloneHost(i), [All[i].Text]);
        }
    }

    /// <summary>The same entries as one YAML stream (addresses quoted, as YAML would read <c>10</c> as a number).</summary>
    public static string Yaml() => string.Join("---\n", Entries().Select(e => $"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: {e.Name}
          namespace: {Namespace}
        spec:
          hosts: [{e.Host}]
          addresses: [{string.Join(", ", e.Addresses.Select(a => $"\"{a}\""))}]
          resolution: STATIC

        """));

    /// <summary>Checks a table built from exactly these entries (without a default address).</summary>
    public static void AssertTable(TableBuildResult result)
    {
        var hosts = result.Table.Hosts.ToDictionary(h => h.Host, h => h.Addresses.Select(a => a.ToString()).ToArray());
        var warnings = result.Warnings.ToDictionary(w => w.ServiceEntry, w => w.Message);
        for (int i = 0; i < All.Length; i++)
        {
            (string text, string? served, string? reason) = All[i];
            string[] mixed = served is null ? [Good] : [IPAddress.Parse(served).ToString(), Good];
            Assert.Equal(mixed, hosts[MixedHost(i)]);
            if (served is null)
            {
                Assert.False(hosts.ContainsKey(AloneHost(i)), $"{text}: an entry left without addresses is not served");
                string expected = $"spec.addresses[0] \"{text}\": {reason}";
                Assert.Equal(expected, warnings[$"{Namespace}/mixed-{i}"]);
                Assert.Equal(expected, warnings[$"{Namespace}/alone-{i}"]);
            }
            else
            {
                Assert.Equal([IPAddress.Parse(served).ToString()], hosts[AloneHost(i)]);
                Assert.False(warnings.ContainsKey($"{Namespace}/mixed-{i}"), text);
            }
        }

        int bad = All.Count(c => c.Served is null);
        Assert.Equal(2 * bad, result.Warnings.Count);
        Assert.Equal((2 * All.Length) - bad, result.Table.ServiceEntryCount);
    }
}
