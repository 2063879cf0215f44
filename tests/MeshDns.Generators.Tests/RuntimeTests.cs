using System.Reflection;
using System.Runtime.Loader;
using MeshDns.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;

namespace MeshDns.Generators.Tests;

/// <summary>Generated code, compiled and loaded: the bit views and the field order behave as declared.</summary>
public class RuntimeTests
{
    private const string Probe = """
        using System;
        using MeshDns.Wire;
        using Samples.Headers;

        public static class Probe
        {
            public static string Run()
            {
                var h = new SampleHeader { Id = 0x1234, Word = 0xAABBCCDD };
                h.IsResponse = true;
                h.Opcode = 0x1F;   // wider than 4 bits: the setter keeps the low four
                h.Rcode = 3;
                h.High = true;
                h.Middle = 0x1122; // bits 8..23 of Word only

                Span<byte> buffer = stackalloc byte[16];
                var writer = new DnsWriter(buffer);
                if (!h.TryWrite(ref writer)) return "write failed";
                Span<byte> written = buffer.Slice(0, writer.Position);

                var reader = new DnsReader(written);
                if (!SampleHeader.TryRead(ref reader, out SampleHeader back)) return "read failed";
                var shortReader = new DnsReader(written.Slice(0, SampleHeader.WireSize - 1));
                bool shortRead = SampleHeader.TryRead(ref shortReader, out _);

                back.IsResponse = false;
                return string.Join(" ",
                    Convert.ToHexString(written), h.Opcode, h.Rcode, h.High, h.Middle.ToString("X4"), h.All.ToString("X8"),
                    back.Flags.ToString("X4"), shortRead);
            }
        }
        """;

    [Fact]
    public void Header_bits_and_fields_round_trip()
    {
        GeneratorRunOutcome run = GeneratorHarness.Run(Samples.Header, Probe);
        Assert.Empty(run.CompilationProblems().Select(d => d.ToString()));

        string result = Execute(run.Output);

        // Id 1234, Flags F803 (QR, opcode 15, rcode 3), Mode 80, Word AA1122DD; clearing QR leaves 7803.
        Assert.Equal("1234F80380AA1122DD 15 3 True 1122 AA1122DD 7803 False", result);
    }

    private static string Execute(Compilation compilation)
    {
        using var image = new MemoryStream();
        EmitResult emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));

        var context = new AssemblyLoadContext("generated", isCollectible: true);
        try
        {
            image.Position = 0;
            Assembly assembly = context.LoadFromStream(image);
            MethodInfo run = assembly.GetType("Probe", throwOnError: true)!.GetMethod("Run")!;
            return (string)run.Invoke(null, null)!;
        }
        finally
        {
            context.Unload();
        }
    }
}
