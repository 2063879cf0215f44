using System.Text;
using MeshDns.Cli;
using MeshDns.Hosting;
using Microsoft.Extensions.Configuration;
using static MeshDns.Fuzz.PropertyException;

namespace MeshDns.Fuzz;

/// <summary>
/// Octets as a command line (UTF-8, arguments separated by NUL as in argv, so an argument may hold a newline)
/// through <see cref="Flags.Parse"/>: it never throws; it gives either one line of error (the exit-2 path) or
/// values that bind to <see cref="MeshDnsOptions"/> as Program binds them, with listen addresses that parse.
/// </summary>
internal static class CliTarget
{
    public static void Run(byte[] input)
    {
        string[] args = input.Length == 0 ? [] : Encoding.UTF8.GetString(input).Split('\0');
        FlagParseResult result = Flags.Parse(args);
        if (result.Error is { } error)
        {
            Require(error.Length > 0 && !error.Contains('\n', StringComparison.Ordinal) && !error.Contains('\r', StringComparison.Ordinal), $"error not one line: {error}");
            return;
        }

        var options = new MeshDnsOptions();
        new ConfigurationBuilder().AddInMemoryCollection(result.Values).Build().GetSection(Flags.Section).Bind(options);
        foreach (string listen in new[] { options.DnsListen, options.GrpcListen, options.HttpListen })
        {
            Require(ListenAddress.TryParse(listen, out _, out _), $"listen address {listen} passed the flags but does not parse");
        }
    }
}
