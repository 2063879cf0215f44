using System.Globalization;
using MeshDns.Resolver;
using MeshDns.Table;
using MeshDns.Tests.Support;
using MeshDns.Wire;
using Xunit.Abstractions;

namespace MeshDns.Tests.Resolver;

/// <summary>
/// Random and mutated messages through parse → resolve → write, and through the message codec.
/// Nothing may throw; every response must be a well-formed message within the transport's limit; every
/// well-formed input must survive a read → write → read round trip. The seed is fixed and printed; set
/// MESHDNS_FUZZ_SEED for another and MESHDNS_FUZZ_ITERATIONS for a longer run. A failure prints the input
/// as hex: add it to <see cref="FuzzRegressionTests"/>.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private const int DefaultIterations = 2_000_000;
    private const int DefaultSeed = 20_240_613;

    [Fact]
    public void Random_and_mutated_packets_never_break_the_resolver_or_the_codec()
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("MESHDNS_FUZZ_ITERATIONS"), CultureInfo.InvariantCulture, out int n) ? n : DefaultIterations;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("MESHDNS_FUZZ_SEED"), CultureInfo.InvariantCulture, out int s) ? s : DefaultSeed;
        output.WriteLine($"seed {seed} (MESHDNS_FUZZ_SEED), {iterations} iterations (MESHDNS_FUZZ_ITERATIONS)");
        var random = new Random(seed);

        NameTable table = Fixtures.Table([.. Fixtures.Main, .. Fixtures.Services]);
        DnsResolver resolver = Fixtures.Resolver(table, new ResolverOptions { Zones = ["global", "10.10.in-addr.arpa"] });
        DnsResolver openResolver = Fixtures.Resolver(table);
        List<byte[]> seeds = [.. Vectors.All.SelectMany(v => new[] { v.Query, v.Response }), .. Constructed()];
        var response = new byte[DnsResolver.MaxMessageSize];
        var rewrite = new byte[DnsResolver.MaxMessageSize];
        var stats = new int[4];

        for (int i = 0; i < iterations; i++)
        {
            byte[] input = i % 10 == 0 ? RandomBytes(random) : Mutate(random, seeds[random.Next(seeds.Count)]);
            var transport = (DnsTransport)(i % 3);
            try
            {
                CheckResolve(i % 2 == 0 ? resolver : openResolver, input, response, transport, stats);
                CheckRoundTrip(input, rewrite, stats);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} iteration {i} transport {transport}: input {Convert.ToHexString(input)}: {e}");
            }
        }

        output.WriteLine($"answered {stats[0]}, dropped {stats[1]}, well-formed inputs {stats[2]}, round trips {stats[3]}");
        Assert.True(stats[0] > iterations / 2, "most inputs still have a readable header and get an answer");
        Assert.True(stats[3] > iterations / 100, "enough well-formed inputs for round trips");
    }

    internal static void CheckResolve(DnsResolver resolver, byte[] input, byte[] response, DnsTransport transport, int[] stats)
    {
        ResolveResult result = resolver.Resolve(input, response, transport);
        if (result.Length == 0)
        {
            stats[1]++;
            Assert.True(input.Length < 12 || (input[2] & 0x80) != 0, "only headerless input or responses are dropped");
            return;
        }

        stats[0]++;
        Assert.InRange(result.Length, 12, transport == DnsTransport.Udp ? 1232 : DnsResolver.MaxMessageSize);
        Assert.True(MessageCodec.TryDecode(response.AsSpan(0, result.Length), out DecodedMessage? decoded), "response must decode");
        Assert.True(decoded.Header.IsResponse);
        Assert.Equal(input[0] << 8 | input[1], decoded.Header.Id);
        Assert.True(decoded.Questions.Count <= 1);
        // Besides the OPT, only an SRV answer brings additional records (its target's addresses).
        Assert.True(decoded.Additional.Count(r => r.Type == DnsType.OPT) <= 1);
        Assert.True(decoded.Additional.All(r => r.Type == DnsType.OPT) || decoded.Answers.Any(r => r.Type == DnsType.SRV));
        Assert.Equal(result.Rcode, decoded.Rcode);
    }

    internal static void CheckRoundTrip(byte[] input, byte[] rewrite, int[] stats)
    {
        if (!MessageCodec.TryDecode(input, out DecodedMessage? original))
        {
            return;
        }

        stats[2]++;
        if (MessageCodec.TryRewrite(input, rewrite, out int length))
        {
            stats[3]++;
            Assert.True(MessageCodec.TryDecode(rewrite.AsSpan(0, length), out DecodedMessage? again), "rewritten message must decode");
            Assert.Equal(original.Render(), again.Render());
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 600)];
        random.NextBytes(bytes);
        if (bytes.Length > 2 && random.Next(2) == 0)
        {
            bytes[2] &= 0x7F; // mostly queries
        }

        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = new List<byte>(seed);
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(8)));
                    break;
                case 3:
                    bytes.InsertRange(at, Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4 when bytes.Count > 1:
                    bytes.RemoveRange(random.Next(bytes.Count), bytes.Count - random.Next(bytes.Count) - 1 > 0 ? 1 : 0);
                    bytes.RemoveRange(Math.Min(at, bytes.Count), bytes.Count - Math.Min(at, bytes.Count)); // truncate
                    break;
                case 5 when bytes.Count > 12:
                    bytes[4 + (2 * random.Next(4)) + 1] = (byte)random.Next(4); // section counts
                    break;
                case 6 when bytes.Count > at + 1:
                    bytes[at] = (byte)(0xC0 | random.Next(64)); // compression pointers
                    bytes[at + 1] = (byte)random.Next(256);
                    break;
                case 7 when bytes.Count > 2:
                    bytes[2] &= 0x7F; // make it a query again
                    break;
            }
        }

        return [.. bytes];
    }

    private static IEnumerable<byte[]> Constructed() =>
    [
        Query.For("exact.test.global").ToBytes(),
        new Query { Name = "many.global", EdnsSize = 4096 }.ToBytes(),
        new Query { Name = "global", Type = DnsType.ANY, EdnsSize = 1232 }.ToBytes(),
        Query.For("x.svc.foo.global", DnsType.AAAA).ToBytes(),
        Query.For("_http._tcp.web.global", DnsType.SRV).ToBytes(),
        new Query { Name = "_https._tcp.x.apps.global", Type = DnsType.SRV, EdnsSize = 1232 }.ToBytes(),
        Query.For("_http._tcp.many.global", DnsType.SRV).ToBytes(),
        Query.For("1.0.10.10.in-addr.arpa", DnsType.PTR).ToBytes(),
        new Query { Name = "1.0.13.10.in-addr.arpa", Type = DnsType.PTR, EdnsSize = 512 }.ToBytes(),
    ];
}
