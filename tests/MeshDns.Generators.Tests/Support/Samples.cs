namespace MeshDns.Generators.Tests.Support;

/// <summary>Declarations the generator is run on. Names differ from MeshDns.Wire's own parts, which the referenced assembly already holds.</summary>
internal static class Samples
{
    /// <summary>Fixed-size, not a ref struct: u8/u16/u32 fields and bit views of several widths.</summary>
    public const string Header = """
        using MeshDns.Wire;

        namespace Samples.Headers;

        [DnsWireFormat]
        public partial struct SampleHeader
        {
            [DnsField(DnsFieldKind.U16)] public ushort Id;
            [DnsField(DnsFieldKind.U16)] public ushort Flags;
            [DnsField(DnsFieldKind.U8)] public byte Mode;
            [DnsField(DnsFieldKind.U32)] public uint Word;

            [DnsBits(nameof(Flags), 15, 1)] public partial bool IsResponse { get; set; }
            [DnsBits(nameof(Flags), 11, 4)] public partial byte Opcode { get; set; }
            [DnsBits(nameof(Flags), 0, 4)] public partial byte Rcode { get; set; }
            [DnsBits(nameof(Mode), 7, 1)] internal partial bool High { get; set; }
            [DnsBits(nameof(Word), 8, 16)] public partial ushort Middle { get; set; }
            [DnsBits(nameof(Word), 0, 32)] public partial uint All { get; set; }
        }
        """;

    /// <summary>Names then integers, like SOA RDATA.</summary>
    public const string Soa = """
        using MeshDns.Wire;

        namespace Samples.Records;

        [DnsWireFormat]
        public ref partial struct SampleSoa
        {
            [DnsField(DnsFieldKind.Name)] public DnsName Primary;
            [DnsField(DnsFieldKind.Name)] public DnsName Mailbox;
            [DnsField(DnsFieldKind.U16)] public ushort Class;
            [DnsField(DnsFieldKind.U32)] public uint Serial;
            [DnsField(DnsFieldKind.U32)] public uint Minimum;
        }
        """;

    /// <summary>Every span kind; CharacterStrings and Rest each end a part, so there are two.</summary>
    public const string Spans = """
        using System;
        using MeshDns.Wire;

        namespace Samples.Records;

        [DnsWireFormat]
        internal ref partial struct SampleSpans
        {
            [DnsField(DnsFieldKind.IPv4)] public ReadOnlySpan<byte> V4;
            [DnsField(DnsFieldKind.IPv6)] public ReadOnlySpan<byte> V6;
            [DnsField(DnsFieldKind.CharacterString)] public ReadOnlySpan<byte> Label;
            [DnsField(DnsFieldKind.U16LengthBytes)] public ReadOnlySpan<byte> Option;
            [DnsField(DnsFieldKind.CharacterStrings)] public ReadOnlySpan<byte> Texts;
        }

        [DnsWireFormat]
        public ref partial struct SampleRest
        {
            [DnsField(DnsFieldKind.U8)] public byte Tag;
            [DnsField(DnsFieldKind.Rest)] public ReadOnlySpan<byte> Payload;
        }
        """;

    /// <summary>No namespace at all.</summary>
    public const string Global = """
        using MeshDns.Wire;

        [DnsWireFormat]
        partial struct GlobalPart
        {
            [DnsField(DnsFieldKind.U8)] public byte Kind;
            [DnsField(DnsFieldKind.U16)] private ushort _length;

            [DnsBits(nameof(_length), 0, 12)] public partial ushort Length { get; set; }
        }
        """;
}
