using System.Net;
using System.Text;
using System.Text.Json;
using MeshDns.Models.Json;
using MeshDns.Sources.Kubernetes;
using MeshDns.Table;
using Microsoft.Extensions.Logging.Abstractions;
using static MeshDns.Fuzz.PropertyException;

namespace MeshDns.Fuzz;

/// <summary>
/// A watch response body through <see cref="HttpListerWatcher"/> (the input's first octet picks the size of the
/// reads, 1 to 256 octets, so lines arrive split), each event's object through <see cref="ServiceEntryJson"/>, and
/// the rest of the input as one ServiceEntry JSON document. The stream may fail only with InvalidDataException (its
/// documented error); one event per complete non-blank line until a line over the bound ends it with OVERSIZED;
/// the decoder never throws, says what is wrong in one line, and returns only entries that pass the checks.
/// </summary>
internal static class WatchTarget
{
    private const int MaxEventBytes = 1024;
    private static readonly BodyHandler Handler = new();
    private static readonly HttpListerWatcher Watcher = new(
        new KubernetesApi(new Uri("http://fuzz.invalid/"), Handler), new ReflectorOptions { MaxEventBytes = MaxEventBytes }, new ReflectorStats(), NullLogger.Instance);

    public static void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        Handler.Body = input.AsMemory(1);
        Handler.Chunk = input[0] + 1;
        (int events, bool oversized, bool failed) = Watch();
        if (!failed)
        {
            (int lines, bool tooLong) = Lines(input.AsSpan(1));
            Require(oversized == tooLong, $"OVERSIZED {oversized}, a line over {MaxEventBytes} octets {tooLong}");
            Require(tooLong || events == lines, $"{events} events from {lines} complete lines");
        }

        // The whole input as one object, as the LIST path hands its items to the decoder (text that is not JSON never gets there).
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(input.AsMemory(1));
        }
        catch (JsonException)
        {
            return;
        }

        using (document)
        {
            bool valid = ServiceEntryJson.TryDecode(document.RootElement, out ServiceEntryInput? entry, out string id, out string? error);
            CheckDecoded(valid, entry, id, error);
        }
    }

    private static (int Events, bool Oversized, bool Failed) Watch()
    {
        int events = 0;
        try
        {
            IAsyncEnumerator<WatchEvent> stream = Watcher.WatchAsync(null, "1", CancellationToken.None).GetAsyncEnumerator();
            Require(stream.MoveNextAsync().AsTask().GetAwaiter().GetResult() && stream.Current.Type == WatchEvent.Opened, "no OPENED first");
            while (stream.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                WatchEvent e = stream.Current;
                if (e.Type == WatchEvent.Oversized)
                {
                    Require(!stream.MoveNextAsync().AsTask().GetAwaiter().GetResult(), "events after OVERSIZED");
                    return (events, true, false);
                }

                Require(e.Object.ValueKind == JsonValueKind.Object, $"a {e.Type} event without an object");
                bool valid = ServiceEntryJson.TryDecode(e.Object, out ServiceEntryInput? entry, out string id, out string? error);
                CheckDecoded(valid, entry, id, error);
                events++;
            }

            stream.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return (events, false, false);
        }
        catch (InvalidDataException)
        {
            return (events, false, true); // the documented failure of a watch stream: the reflector lists again
        }
    }

    /// <summary>Complete lines (ended by a newline) that are not blank, and whether one is longer than the bound
    /// before the stream ends (a partial last line counts too: it is buffered whole).</summary>
    private static (int Lines, bool TooLong) Lines(ReadOnlySpan<byte> body)
    {
        int lines = 0;
        while (true)
        {
            int newline = body.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = newline < 0 ? body : body[..newline];
            if (line.Length > MaxEventBytes)
            {
                return (lines, true);
            }

            if (newline < 0)
            {
                return (lines, false);
            }

            lines += line.Length == 0 || line is [(byte)'\r'] ? 0 : 1;
            body = body[(newline + 1)..];
        }
    }

    private static void CheckDecoded(bool valid, ServiceEntryInput? entry, string id, string? error)
    {
        Require(!string.IsNullOrEmpty(id), "no id");
        if (valid)
        {
            EntryCheck.Valid(entry!);
        }
        else
        {
            Require(entry is null && !string.IsNullOrEmpty(error) && !error.Contains('\n', StringComparison.Ordinal), $"error not one line: {error}");
        }
    }

    /// <summary>Discovery says v1; the watch gets the body, streamed in reads of <see cref="Chunk"/> octets.</summary>
    private sealed class BodyHandler : HttpMessageHandler
    {
        private static readonly byte[] Discovery = Encoding.UTF8.GetBytes("""{"versions":[{"version":"v1"}]}""");

        public ReadOnlyMemory<byte> Body { get; set; }

        public int Chunk { get; set; } = 1;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            bool watch = request.RequestUri!.Query.Contains("watch=1", StringComparison.Ordinal);
            Stream body = watch ? new ChunkedStream(Body.ToArray(), Chunk) : new MemoryStream(Discovery);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) });
        }
    }

    /// <summary>Hands out at most <paramref name="chunk"/> octets per read.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
