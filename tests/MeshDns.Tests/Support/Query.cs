using System.Buffers.Binary;
using System.Text;

namespace MeshDns.Tests.Support;

/// <summary>Builds query messages byte by byte, independently of the library's writer.</summary>
public sealed class Query
{
    public ushort Id { get; set; } = 0x1234;

    public string Name { get; set; } = "example.";

    public ushort Type { get; set; } = 1;

    public ushort Class { get; set; } = 1;

    public bool RecursionDesired { get; set; } = true;

    public bool CheckingDisabled { get; set; }

    public byte Opcode { get; set; }

    public bool IsResponse { get; set; }

    public ushort? QuestionCountOverride { get; set; }

    /// <summary>EDNS UDP size; null sends no OPT.</summary>
    public ushort? EdnsSize { get; set; }

    public byte EdnsVersion { get; set; }

    public bool DnssecOk { get; set; }

    /// <summary>Raw additional records appended after the OPT (each a full RR).</summary>
    public List<byte[]> ExtraAdditional { get; } = [];

    public static Query For(string name, ushort type = 1) => new() { Name = name, Type = type };

    public byte[] ToBytes()
    {
        var bytes = new List<byte>();
        void U16(ushort v) { bytes.Add((byte)(v >> 8)); bytes.Add((byte)v); }

        ushort flags = (ushort)((IsResponse ? 0x8000 : 0) | (Opcode << 11) | (RecursionDesired ? 0x0100 : 0) | (CheckingDisabled ? 0x0010 : 0));
        int additional = (EdnsSize is null ? 0 : 1) + ExtraAdditional.Count;
        U16(Id);
        U16(flags);
        U16(QuestionCountOverride ?? 1);
        U16(0);
        U16(0);
        U16((ushort)additional);
        bytes.AddRange(EncodeName(Name));
        U16(Type);
        U16(Class);
        if (EdnsSize is ushort size)
        {
            bytes.Add(0);
            U16(41);
            U16(size);
            bytes.Add(0);
            bytes.Add(EdnsVersion);
            U16((ushort)(DnssecOk ? 0x8000 : 0));
            U16(0);
        }

        foreach (byte[] rr in ExtraAdditional)
        {
            bytes.AddRange(rr);
        }

        return [.. bytes];
    }

    public static byte[] EncodeName(string name)
    {
        var bytes = new List<byte>();
        foreach (string label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    /// <summary>An OPT record as raw bytes (for tests that need two of them).</summary>
    public static byte[] OptRecord(ushort size = 1232)
    {
        var rr = new byte[11];
        BinaryPrimitives.WriteUInt16BigEndian(rr.AsSpan(1), 41);
        BinaryPrimitives.WriteUInt16BigEndian(rr.AsSpan(3), size);
        return rr;
    }
}
