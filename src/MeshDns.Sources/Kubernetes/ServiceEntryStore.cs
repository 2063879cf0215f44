using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using MeshDns.Models.Json;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes;

/// <summary>Per namespace, the decoded ServiceEntries by namespace/name and the resourceVersion reached. An invalid object is
/// skipped (an update keeps the last good version), logged once per resourceVersion. A burst of changes is one update,
/// carrying only the entries it changed; a LIST keeps the instances of objects whose resourceVersion did not change.</summary>
internal sealed partial class ServiceEntryStore(IReadOnlyList<string> namespaces, ServiceEntryDecoder decoder, TimeSpan debounce, ReflectorStats stats, ILogger logger)
{
    private readonly Channel<bool> _publishRequests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<string, bool> _reportedInvalid = new(StringComparer.Ordinal);
    private readonly Lock _publishGate = new();
    private Dictionary<string, ServiceEntryInput?> _pending = new(StringComparer.Ordinal); // since the last update; lock: itself

    /// <summary>One scope per followed namespace, or one for all namespaces.</summary>
    public Scope[] Scopes { get; } = namespaces.Count == 0 ? [new Scope(null)] : [.. namespaces.Distinct().Select(n => new Scope(n))];

    public event Action<SourceUpdate>? Changed;

    public bool HasSynced => Scopes.All(s => s.Synced);

    /// <summary>A LIST of <paramref name="scope"/> to read into; <see cref="Replace"/> takes it once complete.</summary>
    public ListBuilder StartList(Scope scope) => new(this, scope.Items);

    /// <summary>Replaces a scope's objects with a complete LIST; the first sync of the last scope publishes at once (readiness waits for it).</summary>
    public void Replace(Scope scope, ListBuilder list, string resourceVersion)
    {
        Dictionary<string, Stored> before = list.Before, items = list.Items;
        lock (scope)
        {
            scope.Items = items;
            scope.ResourceVersion = resourceVersion;
            lock (_pending)
            {
                foreach (string gone in before.Keys.Where(k => !items.ContainsKey(k)))
                {
                    _pending[gone] = null;
                }

                foreach ((string key, Stored stored) in items.Where(i => !before.TryGetValue(i.Key, out Stored? was) || !ReferenceEquals(was, i.Value)))
                {
                    _pending[key] = stored.Entry;
                }
            }
        }

        bool first = !scope.Synced;
        scope.Synced = true;
        LogListed(logger, scope.Display, items.Count, resourceVersion);
        if (first && HasSynced)
        {
            PublishNow();
        }
        else
        {
            RequestPublish();
        }
    }

    /// <summary>Applies ADDED, MODIFIED, DELETED or BOOKMARK; an invalid object leaves the last good version in place.</summary>
    public void Apply(Scope scope, WatchEvent e)
    {
        if (e.Type is not (WatchEvent.Added or WatchEvent.Modified or WatchEvent.Deleted or WatchEvent.Bookmark))
        {
            throw new InvalidDataException($"unknown watch event type \"{e.Type}\"");
        }

        JsonElement metadata = ServiceEntryJson.Metadata(e.Object);
        ServiceEntryInput? entry = null;
        string key = Key(metadata);
        bool valid = e.Type is WatchEvent.Added or WatchEvent.Modified && Decode(e.Object, metadata, out entry);
        bool changed;
        lock (scope)
        {
            changed = e.Type == WatchEvent.Deleted ? scope.Items.Remove(key) : valid;
            string? version = ServiceEntryJson.StringProperty(metadata, "resourceVersion");
            if (valid)
            {
                scope.Items[key] = new Stored(version, entry!);
            }

            scope.ResourceVersion = version ?? scope.ResourceVersion;
            if (changed)
            {
                lock (_pending)
                {
                    _pending[key] = entry;
                }
            }
        }

        if (changed)
        {
            RequestPublish();
        }
    }

    /// <summary>Publishes whenever a change was requested: at once when the last publish is older than the debounce time (an
    /// isolated change waits for nothing), else once that time has passed since it (the rest of a burst is one update).
    /// Ends when stopped.</summary>
    public async Task RunPublisher(CancellationToken stop)
    {
        long last = -1, window = (long)debounce.TotalMilliseconds; // when the last update was published (ms)
        try
        {
            while (await _publishRequests.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                long wait = last < 0 ? 0 : last + window - Environment.TickCount64;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), stop).ConfigureAwait(false); // let the burst gather
                }

                _publishRequests.Reader.TryRead(out _);
                last = Environment.TickCount64;
                PublishNow();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Decodes an object; an unusable one is logged once per resourceVersion and skipped.</summary>
    private bool Decode(JsonElement item, JsonElement metadata, out ServiceEntryInput? entry)
    {
        if (decoder(item, out entry, out string id, out string? error))
        {
            return true;
        }

        stats.Count(ref stats.InvalidObjects);
        if (_reportedInvalid.TryAdd(id + "@" + ServiceEntryJson.StringProperty(metadata, "resourceVersion"), true))
        {
            LogInvalid(logger, id, error ?? "invalid");
        }

        return false;
    }

    private static string Key(JsonElement metadata) =>
        $"{ServiceEntryJson.StringProperty(metadata, "namespace")}/{ServiceEntryJson.StringProperty(metadata, "name")}";

    private void RequestPublish()
    {
        if (HasSynced)
        {
            _publishRequests.Writer.TryWrite(true); // at most one waits: a burst is one publish
        }
    }

    private void PublishNow()
    {
        lock (_publishGate)
        {
            Dictionary<string, ServiceEntryInput?> changes;
            int count = 0;
            lock (_pending)
            {
                (changes, _pending) = (_pending, new Dictionary<string, ServiceEntryInput?>(StringComparer.Ordinal));
            }

            foreach (Scope scope in Scopes)
            {
                lock (scope)
                {
                    count += scope.Items.Count; // for the log line: may already count a change of the next update
                }
            }

            stats.Count(ref stats.Publishes);
            try
            {
                Changed?.Invoke(new SourceUpdate([.. changes], count));
            }
            catch (Exception e)
            {
                LogPublishFailed(logger, e);
            }
        }
    }

    /// <summary>A LIST as its pages arrive: each item decoded at once (the page's JSON is then let go), or, when its
    /// resourceVersion is the one already stored, the stored entry kept without decoding.</summary>
    internal sealed class ListBuilder(ServiceEntryStore store, Dictionary<string, Stored> before) : IListSink
    {
        public Dictionary<string, Stored> Before { get; } = before;

        public Dictionary<string, Stored> Items { get; } = new(StringComparer.Ordinal);

        public void Add(JsonElement item)
        {
            JsonElement metadata = ServiceEntryJson.Metadata(item);
            string? version = ServiceEntryJson.StringProperty(metadata, "resourceVersion");
            string key = Key(metadata);
            if (Before.TryGetValue(key, out Stored? known) && version is not null && known.ResourceVersion == version)
            {
                Items[key] = known; // unchanged: not decoded again, and the table keeps its work
            }
            else if (store.Decode(item, metadata, out ServiceEntryInput? entry))
            {
                Items[key] = new Stored(version, entry!);
            }
        }

        public void Restart() => Items.Clear();
    }

    /// <summary>One followed namespace (or all of them); its loop alone reads and writes the resourceVersion.</summary>
    internal sealed class Scope(string? ns)
    {
        public string? Namespace { get; } = ns;

        public string Display => Namespace is null ? "all namespaces" : $"namespace {Namespace}";

        public Dictionary<string, Stored> Items { get; set; } = new(StringComparer.Ordinal);

        public string? ResourceVersion { get; set; }

        public volatile bool Synced;
    }

    /// <summary>An object as decoded, with the resourceVersion it was decoded at.</summary>
    internal sealed record Stored(string? ResourceVersion, ServiceEntryInput Entry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} ServiceEntries in {Scope} at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string scope, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ServiceEntry {Id} skipped: {Error}")]
    private static partial void LogInvalid(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing a snapshot failed")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
