using SharpFuzz;

namespace MeshDns.Fuzz;

/// <summary>
/// <c>MeshDns.Fuzz TARGET</c> runs one target under afl-fuzz (SharpFuzz's out-of-process loop: a stack overflow
/// in the target is reported as a crash, not lost with the fork server). <c>MeshDns.Fuzz TARGET FILE...</c> runs
/// the target once per file and prints what broke: the reproduction of a crash. <c>MeshDns.Fuzz list</c> names the targets.
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, Action<byte[]>> Targets = new(StringComparer.Ordinal)
    {
        ["dns-udp"] = DnsUdpTarget.Run,
        ["dns-tcp"] = DnsTcpTarget.Run,
        ["watch"] = WatchTarget.Run,
        ["yaml"] = YamlTarget.Run,
        ["cli"] = CliTarget.Run,
    };

    public static int Main(string[] args)
    {
        if (args is ["list"])
        {
            Console.WriteLine(string.Join(' ', Targets.Keys));
            return 0;
        }

        if (args.Length == 0 || !Targets.TryGetValue(args[0], out Action<byte[]>? target))
        {
            Console.Error.WriteLine($"usage: MeshDns.Fuzz {{{string.Join('|', Targets.Keys)}}} [FILE...]  |  MeshDns.Fuzz list");
            return 2;
        }

        if (args.Length == 1)
        {
            Fuzzer.OutOfProcess.Run(stream => target(ReadAll(stream)));
            return 0;
        }

        int failed = 0;
        foreach (string file in args[1..])
        {
            try
            {
                target(File.ReadAllBytes(file));
                Console.WriteLine($"{file}: ok");
            }
#pragma warning disable CA1031 // a reproduction reports every failure, whatever its type
            catch (Exception e)
#pragma warning restore CA1031
            {
                Console.WriteLine($"{file}: FAILED: {e}");
                failed++;
            }
        }

        return failed == 0 ? 0 : 1;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>A property of a target that an input broke (a crash for afl-fuzz).</summary>
public sealed class PropertyException(string message) : Exception(message)
{
    public static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new PropertyException(what);
        }
    }
}
