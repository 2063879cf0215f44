namespace MeshDns.Table;

/// <summary>A named port as a host serves it: <c>_name._tcp</c> (or <c>_udp</c>) with its number. Name is lower case,
/// without the underscore.</summary>
public readonly record struct SrvPort(string Name, ushort Number, bool Udp)
{
    /// <summary>The labels before the host: <c>_name._tcp</c> or <c>_name._udp</c>.</summary>
    public string Labels => $"_{Name}._{(Udp ? "udp" : "tcp")}";

    public override string ToString() => $"{Labels} {Number}";
}

/// <summary>The one rule for spec.ports: a port with a name becomes SRV records of each host, as Kubernetes does for named
/// Service ports; UDP is <c>_udp</c>, every other protocol (or none) <c>_tcp</c>.</summary>
public static class ServedPorts
{
    /// <summary>Longest port name: with its underscore it must fit one DNS label.</summary>
    public const int MaxNameLength = 62;
    public const string NameReason = "not usable in an SRV name (letters, digits and '-', at most 62, no '-' at either end)";
    public const string NumberReason = "not a port number (1-65535)";

    private static readonly System.Buffers.SearchValues<char> NameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    /// <summary>The served ports of one entry, distinct, in their order; unnamed ports are not served (no SRV name), and
    /// ports whose name or number cannot be served are reported.</summary>
    public static SrvPort[] Parse(IReadOnlyList<ServicePort> ports, List<Problem> problems)
    {
        if (ports.Count == 0)
        {
            return [];
        }

        var served = new List<SrvPort>(ports.Count);
        for (int i = 0; i < ports.Count; i++)
        {
            ServicePort port = ports[i];
            if (string.IsNullOrEmpty(port.Name))
            {
                continue;
            }

            if (!IsValidName(port.Name))
            {
                problems.Add(new Problem($"spec.ports[{i}].name", port.Name, NameReason));
            }
            else if (port.Number is < 1 or > ushort.MaxValue)
            {
                problems.Add(new Problem($"spec.ports[{i}].number", port.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), NumberReason));
            }
            else
            {
                bool udp = string.Equals(port.Protocol, "UDP", StringComparison.OrdinalIgnoreCase);
                var srv = new SrvPort(port.Name.ToLowerInvariant(), (ushort)port.Number, udp);
                if (!served.Contains(srv))
                {
                    served.Add(srv);
                }
            }
        }

        return [.. served];
    }

    private static bool IsValidName(string name) =>
        name.Length <= MaxNameLength && name[0] != '-' && name[^1] != '-' && !name.AsSpan().ContainsAnyExcept(NameChars);
}
