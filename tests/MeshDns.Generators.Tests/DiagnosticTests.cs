using System.Globalization;
using MeshDns.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace MeshDns.Generators.Tests;

/// <summary>
/// Each rejected declaration sits next to a valid part, so "no source for the bad type" is checked against a run
/// that did generate: the rejection is per type, not a failed generator.
/// </summary>
public class DiagnosticTests
{
    private const string GoodHint = "Samples.Diagnostics.Good.WireFormat.g.cs";

    [Fact]
    public void MDNS001_type_not_partial()
    {
        AssertRejected("MDNS001", "Plain", """
            [DnsWireFormat]
            public struct Plain
            {
                [DnsField(DnsFieldKind.U16)] public ushort A;
            }
            """);
    }

    [Theory]
    [InlineData("[DnsField(DnsFieldKind.U16)] public uint Bad;")]
    [InlineData("[DnsField(DnsFieldKind.U8)] public ushort Bad;")]
    [InlineData("[DnsField(DnsFieldKind.Name)] public ReadOnlySpan<byte> Bad;")]
    [InlineData("[DnsField(DnsFieldKind.IPv4)] public byte[] Bad;")]
    [InlineData("[DnsField(DnsFieldKind.Rest)] public DnsName Bad;")]
    public void MDNS002_field_type_does_not_match_kind(string field)
    {
        AssertRejected("MDNS002", "Bad", $$"""
            [DnsWireFormat]
            public ref partial struct Mismatch
            {
                [DnsField(DnsFieldKind.U16)] public ushort Fine;
                {{field}}
            }
            """);
    }

    [Theory]
    [InlineData("Rest", "U16", "public ushort After;")]
    [InlineData("CharacterStrings", "Rest", "public ReadOnlySpan<byte> After;")]
    public void MDNS003_rest_field_not_last(string restKind, string nextKind, string nextField)
    {
        AssertRejected("MDNS003", "Bad", $$"""
            [DnsWireFormat]
            public ref partial struct Trailing
            {
                [DnsField(DnsFieldKind.{{restKind}})] public ReadOnlySpan<byte> Bad;
                [DnsField(DnsFieldKind.{{nextKind}})] {{nextField}}
            }
            """);
    }

    [Fact]
    public void MDNS004_no_fields()
    {
        // An unmarked field and a static marked one are both ignored, so nothing is left to read.
        AssertRejected("MDNS004", "Empty", """
            [DnsWireFormat]
            public partial struct Empty
            {
                public ushort Unmarked;
                [DnsField(DnsFieldKind.U16)] public static ushort Shared;
            }
            """);
    }

    [Theory]
    [InlineData("[DnsBits(nameof(Flags), 14, 4)] public partial byte Bad { get; set; }")]      // past bit 15
    [InlineData("[DnsBits(nameof(Flags), 3, 0)] public partial byte Bad { get; set; }")]       // empty range
    [InlineData("[DnsBits(nameof(Flags), -1, 2)] public partial byte Bad { get; set; }")]      // negative shift
    [InlineData("[DnsBits(nameof(Flags), 0, 2)] public partial bool Bad { get; set; }")]       // bool is one bit
    [InlineData("[DnsBits(nameof(Flags), 0, 9)] public partial byte Bad { get; set; }")]       // byte is eight
    [InlineData("[DnsBits(nameof(Flags), 0, 4)] public partial int Bad { get; set; }")]        // signed type
    [InlineData("[DnsBits(\"Missing\", 0, 1)] public partial bool Bad { get; set; }")]         // no such field
    [InlineData("[DnsBits(nameof(Data), 0, 1)] public partial bool Bad { get; set; }")]        // not an integer field
    [InlineData("[DnsBits(nameof(Flags), 0, 1)] public bool Bad { get; set; }")]               // not partial
    [InlineData("[DnsBits(nameof(Flags), 0, 1)] public partial bool Bad { get; }")]            // no setter
    [InlineData("[DnsBits(nameof(Flags), int.MaxValue, 2)] public partial byte Bad { get; set; }")] // shift + width overflows int
    public void MDNS005_bad_bit_property(string property)
    {
        AssertRejected("MDNS005", "Bad", $$"""
            [DnsWireFormat]
            public ref partial struct Bits
            {
                [DnsField(DnsFieldKind.U16)] public ushort Flags;
                [DnsField(DnsFieldKind.Rest)] public ReadOnlySpan<byte> Data;
                {{property}}
            }
            """);
    }

    [Theory]
    [InlineData("[DnsField(DnsFieldKind.IPv4)] public ReadOnlySpan<byte> Bad;")]
    [InlineData("[DnsField(DnsFieldKind.Name)] public DnsName Bad;")]
    public void MDNS006_span_field_in_plain_struct(string field)
    {
        AssertRejected("MDNS006", "Bad", $$"""
            [DnsWireFormat]
            public partial struct NotRef
            {
                [DnsField(DnsFieldKind.U16)] public ushort Fine;
                {{field}}
            }
            """);
    }

    [Fact]
    public void MDNS007_nested_type()
    {
        AssertRejected("MDNS007", "Inner", """
            public partial struct Outer
            {
                [DnsWireFormat]
                public partial struct Inner
                {
                    [DnsField(DnsFieldKind.U16)] public ushort A;
                }
            }
            """);
    }

    [Fact]
    public void MDNS007_generic_type()
    {
        AssertRejected("MDNS007", "Generic", """
            [DnsWireFormat]
            public partial struct Generic<T>
            {
                [DnsField(DnsFieldKind.U16)] public ushort A;
            }
            """);
    }

    [Fact]
    public void MDNS008_unknown_field_kind()
    {
        AssertRejected("MDNS008", "Bad", """
            [DnsWireFormat]
            public partial struct Unknown
            {
                [DnsField(DnsFieldKind.U16)] public ushort Fine;
                [DnsField((DnsFieldKind)42)] public ushort Bad;
            }
            """);
    }

    [Fact]
    public void Valid_parts_report_nothing()
    {
        GeneratorRunOutcome run = GeneratorHarness.Run(Wrap(string.Empty));

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal([GoodHint], run.Sources.Select(s => s.HintName));
    }

    /// <summary>
    /// Exactly one diagnostic, with <paramref name="id"/>, error severity, a message that formats, and a location on
    /// <paramref name="flagged"/>; the only generated file is the valid neighbour's.
    /// </summary>
    private static void AssertRejected(string id, string flagged, string declaration)
    {
        string source = Wrap(declaration);
        GeneratorRunOutcome run = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains($"'{flagged}'", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        FileLinePositionSpan where = diagnostic.Location.GetLineSpan();
        Assert.Equal("Source0.cs", where.Path);
        Assert.Equal(flagged, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));

        Assert.Equal([GoodHint], run.Sources.Select(s => s.HintName));
    }

    private static string Wrap(string declaration) => $$"""
        using System;
        using MeshDns.Wire;

        namespace Samples.Diagnostics;

        [DnsWireFormat]
        public partial struct Good
        {
            [DnsField(DnsFieldKind.U8)] public byte Value;
        }

        {{declaration}}
        """;
}
