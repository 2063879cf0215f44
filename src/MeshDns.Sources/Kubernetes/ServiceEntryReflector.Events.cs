using System.Net;
using System.Text.Json;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes;

/// <summary>The reflector's store: updates from watch events and listed objects, and the snapshots published from it.</summary>
public sealed partial class ServiceEntryReflector
{
    /// <summary>Applies one watch event; true when it says the resourceVersion is gone (410).</summary>
    private bool Apply(Scope scope, ReadOnlySpan<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("a watch event is not JSON: " + e.Message, e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            string? type = StringProperty(root, "type");
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("object", out JsonElement obj) || obj.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("a watch event has no object");
            }

            Stats.Count(ref Stats.Events);
            JsonElement metadata = obj.TryGetProperty("metadata", out JsonElement m) ? m : default;
            string? resourceVersion = StringProperty(metadata, "resourceVersion");
            switch (type)
            {
                case "ADDED":
                case "MODIFIED":
                    bool valid = Decode(obj, out ServiceEntryInput? entry, out string key);
                    lock (scope)
                    {
                        if (valid)
                        {
                            scope.Items[key] = entry!;
                        }

                        scope.ResourceVersion = resourceVersion ?? scope.ResourceVersion;
                    }

                    if (valid)
                    {
                        RequestPublish();
                    }

                    return false;
                case "DELETED":
                    string deleted = Key(StringProperty(metadata, "namespace"), StringProperty(metadata, "name"));
                    bool removed;
                    lock (scope)
                    {
                        removed = scope.Items.Remove(deleted);
                        scope.ResourceVersion = resourceVersion ?? scope.ResourceVersion;
                    }

                    if (removed)
                    {
                        RequestPublish();
                    }

                    return false;
                case "BOOKMARK":
                    lock (scope)
                    {
                        scope.ResourceVersion = resourceVersion ?? scope.ResourceVersion;
                    }

                    return false;
                case "ERROR":
                    int code = obj.TryGetProperty("code", out JsonElement c) && c.TryGetInt32(out int n) ? n : 0;
                    if (code == (int)HttpStatusCode.Gone)
                    {
                        return true;
                    }

                    throw new KubernetesApiException((HttpStatusCode)code, "watch error: " + (StringProperty(obj, "message") ?? "no message"));
                default:
                    throw new InvalidDataException($"unknown watch event type \"{type}\"");
            }
        }
    }

    /// <summary>Decodes an object; an unusable one is logged once per resourceVersion and skipped.</summary>
    private bool Decode(JsonElement item, out ServiceEntryInput? entry, out string key)
    {
        JsonElement metadata = item.TryGetProperty("metadata", out JsonElement m) ? m : default;
        key = Key(StringProperty(metadata, "namespace"), StringProperty(metadata, "name"));
        if (_decoder(item, out entry, out string id, out string? error))
        {
            return true;
        }

        Stats.Count(ref Stats.InvalidObjects);
        string marker = id + "@" + StringProperty(metadata, "resourceVersion");
        bool first;
        lock (_reportedInvalid)
        {
            first = _reportedInvalid.Add(marker);
        }

        if (first)
        {
            LogInvalid(_logger, id, error ?? "invalid");
        }

        return false;
    }

    private static string Key(string? ns, string? name) => $"{ns}/{name}";

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    /// <summary>One followed namespace (or all of them) with its own store and resourceVersion.</summary>
    private sealed class Scope(string? ns)
    {
        public string? Namespace { get; } = ns;

        public string Display => Namespace is null ? "all namespaces" : $"namespace {Namespace}";

        public Dictionary<string, ServiceEntryInput> Items { get; set; } = new(StringComparer.Ordinal);

        public string? ResourceVersion { get; set; }

        public volatile bool Synced;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ServiceEntry {Id} skipped: {Error}")]
    private static partial void LogInvalid(ILogger logger, string id, string error);

    private void RequestPublish()
    {
        if (HasSynced && Interlocked.Exchange(ref _publishPending, 1) == 0)
        {
            _publishSignal.Release();
        }
    }

    private async Task PublishLoop()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _publishSignal.WaitAsync(stop).ConfigureAwait(false);
                await Task.Delay(_options.Debounce, stop).ConfigureAwait(false); // let a burst gather
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Interlocked.Exchange(ref _publishPending, 0);
            PublishNow();
        }
    }

    private readonly Lock _publishGate = new();

    private void PublishNow()
    {
        lock (_publishGate)
        {
            var snapshot = new List<ServiceEntryInput>();
            foreach (Scope scope in _scopes)
            {
                lock (scope)
                {
                    snapshot.AddRange(scope.Items.Values);
                }
            }

            Stats.Count(ref Stats.Publishes);
            try
            {
                Changed?.Invoke(snapshot);
            }
            catch (Exception e)
            {
                LogPublishFailed(_logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing a snapshot failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
