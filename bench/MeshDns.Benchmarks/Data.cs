using System.Net;
using MeshDns.Table;

namespace MeshDns.Benchmarks;

/// <summary>A 100k-ServiceEntry table: 90% exact hosts, 10% wildcards, spread over 50 namespaces.</summary>
public static class Data
{
    public const int Count = 100_000;

    public static List<ServiceEntryInput> Entries(int count = Count) =>
        Enumerable.Range(0, count)
            .Select(i => new ServiceEntryInput(
                $"ns{i % 50}",
                $"se{i}",
                new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i),
                [i % 10 == 0 ? $"*.wild{i}.ns{i % 50}.global" : $"svc{i}.ns{i % 50}.global"],
                [new IPAddress(BitConverter.GetBytes(0x0A000000u + (uint)i).Reverse().ToArray()).ToString()],
                "STATIC",
                []))
            .ToList();

    public static byte[] Wire(string name)
    {
        var bytes = new List<byte>();
        foreach (string label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    /// <summary>A query as dig sends it: RD, one question, an OPT record with a 1232 size.</summary>
    public static byte[] Query(string name, ushort type = 1, bool edns = true)
    {
        var bytes = new List<byte> { 0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, (byte)(edns ? 1 : 0) };
        bytes.AddRange(Wire(name));
        bytes.AddRange([(byte)(type >> 8), (byte)type, 0, 1]);
        if (edns)
        {
            bytes.AddRange([0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]);
        }

        return [.. bytes];
    }
}
