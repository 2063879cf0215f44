using System.Net;
using System.Text;
using MeshDns.Sources.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshDns.Sources.Tests;

/// <summary>Found by the watch fuzz target: an event line with octets that are not UTF-8 in its "type" made the watch
/// throw InvalidOperationException; a watch stream fails only with InvalidDataException, which the reflector
/// reports and recovers from by listing again.</summary>
public class WatchInvalidUtf8Tests
{
    [Fact]
    public async Task A_watch_event_that_is_not_UTF8_fails_the_stream_with_InvalidDataException()
    {
        byte[] body = Encoding.UTF8.GetBytes("""{"type":"ADDED@","object":{"kind":"ServiceEntry"}}""" + "\n");
        body[Array.IndexOf(body, (byte)'@')] = 0xC3; // the first octet of a two-octet sequence, then a quote
        using var api = new KubernetesApi(new Uri("http://api.invalid/"), new OneBody(body));
        var watcher = new HttpListerWatcher(api, new ReflectorOptions(), new ReflectorStats(), NullLogger.Instance);
        await using IAsyncEnumerator<WatchEvent> events = watcher.WatchAsync(null, "1", CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(WatchEvent.Opened, events.Current.Type);

        InvalidDataException e = await Assert.ThrowsAsync<InvalidDataException>(async () => await events.MoveNextAsync());
        Assert.Equal("a watch event is not UTF-8", e.Message);
    }

    /// <summary>Discovery serves v1; every other request gets the body.</summary>
    private sealed class OneBody(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            bool discovery = request.RequestUri!.AbsolutePath == "/apis/networking.istio.io";
            byte[] content = discovery ? """{"versions":[{"version":"v1"}]}"""u8.ToArray() : body;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(content) });
        }
    }
}
