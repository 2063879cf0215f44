using System.Globalization;
using System.Net;
using System.Text;
using MeshDns.Sources.Files;
using MeshDns.Wire;

namespace MeshDns.Cli;

/// <summary>Values: configuration keys for the options binder; Error: one line naming the flag (exit 2).</summary>
public sealed record FlagParseResult(IReadOnlyDictionary<string, string?> Values, bool Help, bool Version, string? Error);

/// <summary><c>--flag value</c>, <c>--flag=value</c> and Go's <c>-flag</c> (the image MeshDns replaces took Go flags).
/// Every value is checked here, so a bad one gets a one-line message naming the flag.</summary>
public static class Flags
{
    public const string Section = "MeshDns";

    private enum Kind { Value, Repeatable, Bool }

    /// <summary>Metavar: the value's placeholder in the help; DURATION values are Go durations, SIZE values byte counts.</summary>
    private sealed record Flag(string Name, string Key, Kind Kind, string Metavar, string Default, string Help, Func<string, string?>? Check = null);

    private static readonly Flag[] All =
    [
        new("from-file", "FromFile", Kind.Repeatable, "PATH", "", "YAML file or directory of *.yaml/*.yml ServiceEntries; repeatable; reloaded on change", CheckNotEmpty),
        new("max-file-size", "MaxFileSize", Kind.Value, "SIZE", "64Mi", "larger --from-file files are not read (bytes, or with K, M, G, Ki, Mi or Gi)", CheckSize),
        new("kubeconfig", "Kubeconfig", Kind.Repeatable, "[NAME=]PATH", "", "kubeconfig file of a cluster to follow (in a pod: the service account; else $KUBECONFIG or ~/.kube/config); repeatable: the first is the local cluster, the others remote; NAME names the cluster (default: its context)", CheckKubeconfig),
        new("context", "Context", Kind.Value, "NAME", "", "kubeconfig context of the first --kubeconfig (default: its current-context)", CheckNotEmpty),
        new("remote-secrets", "RemoteSecrets", Kind.Value, "NAMESPACE", "", "follow Istio remote secrets (labelled istio/multiCluster=true) in this namespace of the local cluster: each data key a remote cluster's name, its value that cluster's kubeconfig (default: off)", CheckNamespace),
        new("remote-sync-timeout", "RemoteSyncTimeout", Kind.Value, "DURATION", "30s", "serve without a remote cluster that has not synced this long after start (it is added once it syncs)", CheckRemoteSyncTimeout),
        new("namespace", "Namespace", Kind.Repeatable, "NS", "", "follow ServiceEntries of this namespace only; repeatable or comma-separated (default: all namespaces)", CheckNamespaces),
        new("default-address", "DefaultAddress", Kind.Value, "IP", "", "address served for hosts without spec.addresses or status.addresses", CheckIp),
        new("zone", "Zone", Kind.Repeatable, "ZONE", "", "zone served with authority (SOA, NS, REFUSED outside); repeatable; none: answer every host, NXDOMAIN otherwise", CheckZone),
        new("ttl", "Ttl", Kind.Value, "SECONDS", "30", "TTL of answers, in seconds", CheckSeconds),
        new("negative-ttl", "NegativeTtl", Kind.Value, "SECONDS", "30", "TTL of negative answers (SOA minimum), in seconds", CheckSeconds),
        new("soa-mname", "SoaMname", Kind.Value, "NAME", "ns.<zone>", "SOA MNAME and NS target of every zone", CheckName),
        new("soa-rname", "SoaRname", Kind.Value, "NAME", "hostmaster.<zone>", "SOA RNAME (mailbox) of every zone", CheckName),
        new("round-robin", "RoundRobin", Kind.Bool, "", "true", "rotate multi-address answers between queries", CheckBool),
        new("dns-listen", "DnsListen", Kind.Value, "ADDR", ":1053", "UDP and TCP DNS address (HOST:PORT, :PORT for all interfaces, or off)", CheckListen),
        new("grpc-listen", "GrpcListen", Kind.Value, "ADDR", ":8053", "CoreDNS gRPC backend address, plaintext HTTP/2 (HOST:PORT, :PORT, or off)", CheckListen),
        new("http-listen", "HttpListen", Kind.Value, "ADDR", ":8090", "HTTP address of /healthz and /readyz (HOST:PORT, :PORT, or off)", CheckListen),
        new("lameduck", "Lameduck", Kind.Value, "DURATION", "5s", "on SIGTERM, report not ready but keep answering this long before stopping (0s: stop at once)", CheckDurationOrZero),
        new("debug-names", "DebugNames", Kind.Bool, "", "true", "serve the current table as JSON on /debug/names", CheckBool),
        new("tcp-idle-timeout", "TcpIdleTimeout", Kind.Value, "DURATION", "10s", "close DNS-over-TCP connections idle this long", CheckDuration),
        new("tcp-query-timeout", "TcpQueryTimeout", Kind.Value, "DURATION", "5s", "close DNS-over-TCP connections whose query has not arrived whole this long after its first octet", CheckDuration),
        new("tcp-max-connections", "TcpMaxConnections", Kind.Value, "N", "1024", "most concurrent DNS-over-TCP connections (lowered to fit the open-file limit); at the cap a new one closes the longest-waiting", CheckPositive),
        new("log-level", "LogLevel", Kind.Value, "VALUE", "info", "debug, info, warn or error", CheckLevel),
        new("log-format", "LogFormat", Kind.Value, "VALUE", "text", "text or json", CheckFormat),
        new("version", "", Kind.Bool, "", "false", "print the version and commit, then exit"),
        new("help", "", Kind.Bool, "", "false", "print this help, then exit"),
    ];

    public static FlagParseResult Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        bool help = false, version = false;

        // Arguments are quoted as given: a line break in one must not break the one-line error.
        FlagParseResult Fail(string error) => new(values, false, false, error.ReplaceLineEndings("\\n"));

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg.Length < 2 || arg[0] != '-' || arg == "--")
            {
                return Fail($"unexpected argument \"{arg}\": flags start with - or -- (see --help)");
            }

            string body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
            int equals = body.IndexOf('=');
            string name = equals < 0 ? body : body[..equals];
            string? inline = equals < 0 ? null : body[(equals + 1)..];
            name = name is "h" ? "help" : name;
            Flag? flag = All.FirstOrDefault(f => f.Name == name);
            if (flag is null)
            {
                return Fail($"unknown flag -{(arg.StartsWith("--", StringComparison.Ordinal) ? "-" : "")}{name} (see --help)");
            }

            string? problem = ReadValue(flag, inline, args, ref i, out string value)
                ?? ((flag.Check ?? CheckBool)(value) is string invalid ? $"invalid value \"{value}\" for --{flag.Name}: {invalid}" : null);
            if (problem is not null)
            {
                return Fail(problem);
            }

            help = flag.Name == "help" ? bool.Parse(value) : help;
            version = flag.Name == "version" ? bool.Parse(value) : version;
            if (flag.Key.Length > 0)
            {
                Store(values, flag, value);
            }
        }

        return new FlagParseResult(values, help, version, null);
    }

    /// <summary>As the options binder reads it: durations as TimeSpan text, sizes in bytes.</summary>
    private static void Store(Dictionary<string, string?> values, Flag flag, string value)
    {
        if (flag.Kind == Kind.Repeatable)
        {
            int n = values.Keys.Count(k => k.StartsWith($"{Section}:{flag.Key}:", StringComparison.OrdinalIgnoreCase));
            values[$"{Section}:{flag.Key}:{n}"] = value;
            return;
        }

        values[$"{Section}:{flag.Key}"] = flag.Metavar == "SIZE" ? ParseSize(value)!.Value.ToString(CultureInfo.InvariantCulture)
            : flag.Metavar == "DURATION" ? GoDuration.Parse(value, out _)!.Value.ToString("c", CultureInfo.InvariantCulture)
            : value;
    }

    /// <summary>Inline, the next argument, or "true" for a switch; returns what is wrong, if anything.</summary>
    private static string? ReadValue(Flag flag, string? inline, IReadOnlyList<string> args, ref int i, out string value)
    {
        if (flag.Kind == Kind.Bool)
        {
            value = inline ?? "true";
            return inline is null && i + 1 < args.Count && bool.TryParse(args[i + 1], out _)
                ? $"--{flag.Name} is a switch and does not read the next argument: write --{flag.Name}={args[i + 1].ToLowerInvariant()}"
                : null;
        }

        bool missing = inline is null && i + 1 >= args.Count;
        value = missing ? "" : inline ?? args[++i];
        return missing ? $"flag --{flag.Name} needs a value" : null;
    }

    public static string HelpText(string version)
    {
        var text = new StringBuilder();
        text.AppendLine($"meshdns {version}: DNS for the hosts of Istio ServiceEntries.");
        text.AppendLine();
        text.AppendLine("Usage: meshdns [flags]     (--flag value, --flag=value and -flag all work)");
        text.AppendLine();
        text.AppendLine("Flags:");
        foreach (Flag flag in All)
        {
            string left = flag.Kind == Kind.Bool ? $"  --{flag.Name}" : $"  --{flag.Name} {flag.Metavar}";
            string defaults = flag.Default.Length == 0 || flag.Kind == Kind.Bool && flag.Default == "false" ? "" : $" (default {flag.Default})";
            text.AppendLine($"{left,-34} {flag.Help}{defaults}");
        }

        text.AppendLine();
        text.AppendLine("Exit codes: 0 stopped cleanly, 1 runtime failure (e.g. address in use), 2 bad flags or configuration.");
        return text.ToString();
    }

    private static string? CheckNamespaces(string value) =>
        value.Split(',').All(n => n.Length is > 0 and <= 63 && n.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && n[0] != '-' && n[^1] != '-')
            ? null
            : "must be namespace names (lower-case letters, digits and '-'), comma-separated";

    /// <summary>PATH, or NAME=PATH when the text before the first '=' has no '/' (a path may hold '=' in a directory name).</summary>
    private static string? CheckKubeconfig(string value)
    {
        (string? name, string path) = ClusterNames.Split(value);
        return string.IsNullOrWhiteSpace(value) ? "must not be empty"
            : name is null ? null
            : ClusterNames.Check(name) ?? (path.Length == 0 ? $"the path after \"{name}=\" is empty: write NAME=PATH or PATH" : null);
    }

    private static string? CheckRemoteSyncTimeout(string value) =>
        GoDuration.Parse(value, out string? error) is not { } d ? error
        : d <= ClusterNames.MaxRemoteSyncTimeout ? null : "must be at most 1h";

    private static string? CheckNamespace(string value) =>
        !value.Contains(',') && CheckNamespaces(value) is null ? null : "must be one namespace name (lower-case letters, digits and '-'), such as istio-system";

    private static string? CheckNotEmpty(string value) => string.IsNullOrWhiteSpace(value) ? "must not be empty" : null;

    private static string? CheckIp(string value) =>
        IPAddress.TryParse(value, out _) && !value.Contains('/') ? null : "must be an IPv4 or IPv6 address";

    private static string? CheckName(string value) =>
        value.Trim().Length > 0 && DnsName.TryEncode(value.Trim(), stackalloc byte[DnsName.MaxLength]) > 0 && !value.Contains("..", StringComparison.Ordinal)
            ? null
            : "must be a domain name such as global or mesh.example";

    /// <summary>A zone: letters, digits and '-' in labels of 1 to 63 that neither start nor end with '-'; a trailing dot is allowed.</summary>
    private static string? CheckZone(string value)
    {
        string name = value.EndsWith('.') && value.Length > 1 ? value[..^1] : value;
        string[] labels = name.Split('.');
        string? bad = labels.FirstOrDefault(l => l.Length is 0 or > 63 || l[0] == '-' || l[^1] == '-' || !l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
        return bad switch
        {
            null when name.Length <= 253 => null,
            null => "longer than 253 characters",
            "" => "has an empty label: write a domain name such as global or mesh.example",
            _ when bad.Contains('*') => "a zone cannot be a wildcard: write the zone itself, such as global for *.global hosts",
            _ => $"label \"{bad}\" must be letters, digits and '-', not starting or ending with '-' (such as global or mesh.example)",
        };
    }

    private static string? CheckSeconds(string value) =>
        uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint s) && s <= int.MaxValue ? null : "must be a whole number of seconds (0 to 2147483647)";

    private static string? CheckPositive(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? null : "must be a whole number above 0";

    private static string? CheckSize(string value) => ParseSize(value) is > 0 and <= FileSource.MaxFileSizeLimit ? null
        : "must be a size from 1 byte to 1Gi, in bytes or with K, M, G, Ki, Mi or Gi (such as 64Mi)";

    /// <summary>Bytes, or a whole number with a decimal (K, M, G) or binary (Ki, Mi, Gi) suffix; null if malformed or huge.</summary>
    private static long? ParseSize(string value)
    {
        int digits = value.TakeWhile(char.IsAsciiDigit).Count();
        long? unit = value[digits..] switch
        {
            "" => 1,
            "K" or "k" => 1000,
            "M" => 1_000_000,
            "G" => 1_000_000_000,
            "Ki" => 1L << 10,
            "Mi" => 1L << 20,
            "Gi" => 1L << 30,
            _ => null,
        };
        return digits > 0 && unit is { } u && long.TryParse(value.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out long n)
            && n <= long.MaxValue / u ? n * u : null;
    }

    private static string? CheckBool(string value) => bool.TryParse(value, out _) ? null : "must be true or false";
    private static string? CheckListen(string value) => ListenAddress.TryParse(value, out _, out string? error) ? null : error;
    private static string? CheckLevel(string value) => ParseLevel(value) is null ? "must be debug, info, warn or error" : null;
    private static string? CheckFormat(string value) => value is "text" or "json" ? null : "must be text or json";

    private static string? CheckDurationOrZero(string value) =>
        GoDuration.Parse(value, out string? error) is not { } d ? error
        : d <= TimeSpan.FromMinutes(10) ? null : "must be at most 10m";

    private static string? CheckDuration(string value) =>
        GoDuration.Parse(value, out string? error) is not { } d ? error
        : d > TimeSpan.Zero ? null : "must be above 0: a DNS-over-TCP connection would be closed before its query could arrive; the default is 10s (idle) and 5s (query)";

    /// <summary>Log levels by the names operators use (Go's and .NET's).</summary>
    public static Microsoft.Extensions.Logging.LogLevel? ParseLevel(string value) => value.ToLowerInvariant() switch
    {
        "trace" => Microsoft.Extensions.Logging.LogLevel.Trace,
        "debug" => Microsoft.Extensions.Logging.LogLevel.Debug,
        "info" or "information" => Microsoft.Extensions.Logging.LogLevel.Information,
        "warn" or "warning" => Microsoft.Extensions.Logging.LogLevel.Warning,
        "error" => Microsoft.Extensions.Logging.LogLevel.Error,
        _ => null,
    };
}
