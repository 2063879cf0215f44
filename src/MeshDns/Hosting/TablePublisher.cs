using System.Net;
using MeshDns.Resolver;
using MeshDns.Table;
using Microsoft.Extensions.Logging;

namespace MeshDns.Hosting;

/// <summary>Builds and swaps in a table per snapshot; logs changes in the original plugin's words so operators' greps keep
/// working: <c>Have 2 service entries</c>, <c>adding DNS mapping: .test.global.->[127.255.0.2]</c>.</summary>
public sealed partial class TablePublisher(TableHolder holder, TableOptions options, ResolverOptions resolver, ILogger<TablePublisher> logger) : IMetricsSource
{
    private const int MaxMappingLines = 1000; // beyond this many changes, per-host lines go to debug level
    private const long MinimumHeapToTrim = 8L * 1024 * 1024; // smaller heaps are left to the GC's own pacing
    private const long MinimumTrimIntervalMs = 30_000; // the compacting pause must not follow every event
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SourceState> _sources = new(StringComparer.Ordinal);
    private readonly TableModel _model = new(options);
    private long _rebuilds;
    private bool _published; // once a table is out, a source that has not synced (one added later) holds nothing back
    private int _outsideZones; // hosts in the table that no --zone covers
    private DateTimeOffset? _lastChange;
    private long _liveAfterTrim;
    private long _lastTrim = -MinimumTrimIntervalMs; // the first big change may trim at once

    public void Write(MetricsText text)
    {
        NameTable? table = holder.Current;
        text.Gauge("meshdns_table_synced", "1 once a table is served: every source synced, remote clusters synced or past --remote-sync-timeout.", table is null ? 0 : 1);
        text.Gauge("meshdns_table_service_entries", "ServiceEntries contributing hosts to the table.", table?.ServiceEntryCount ?? 0);
        text.Gauge("meshdns_table_hosts", "Hosts (exact and wildcard) in the table.", table?.HostCount ?? 0);
        text.Counter("meshdns_table_rebuilds_total", "Tables built and published.", Interlocked.Read(ref _rebuilds));
        text.Gauge("meshdns_table_last_change_timestamp_seconds", "Unix time of the last table change.", _lastChange?.ToUnixTimeSeconds() ?? 0);
    }

    /// <summary>Declares a source; no table is published until every declared source has sent a snapshot (or was given up on,
    /// <see cref="StopWaitingFor"/>). <paramref name="label"/>: the source's entries are named label/namespace/name.</summary>
    public void Expect(string source, string? label = null)
    {
        lock (_gate)
        {
            if (_sources.TryAdd(source, new SourceState()) && label is not null)
            {
                _model.Label(source, label);
            }
        }
    }

    /// <summary>The first table no longer waits for <paramref name="source"/> (a remote cluster past its sync timeout); its
    /// entries join the table when it syncs. False when it had synced (or is unknown).</summary>
    public bool StopWaitingFor(string source)
    {
        lock (_gate)
        {
            if (!_sources.TryGetValue(source, out SourceState? state) || state.Count is not null)
            {
                return false;
            }

            state.Waited = false;
            PublishLocked();
            return true;
        }
    }

    /// <summary>Sets (entry) or deletes (null) some of one source's entries by namespace/name; publishes the union of all sources'
    /// entries once each has sent its first update. Only the entries named are worked on. <paramref name="retire"/>: a source
    /// this one takes over from (a cluster's previous reflector), dropped in the same table.</summary>
    public void Apply(string source, IReadOnlyList<KeyValuePair<string, ServiceEntryInput?>> changes, int count, string? retire = null)
    {
        lock (_gate)
        {
            if (!_sources.TryGetValue(source, out SourceState? state))
            {
                return; // removed meanwhile: a late update of a stopped source
            }

            state.Count = count;
            _model.Apply(source, changes);
            if (retire is not null && _sources.Remove(retire))
            {
                _model.Remove(retire);
            }

            PublishLocked();
        }
    }

    /// <summary>Drops a source and its entries (a cluster no longer followed); the table is published without them.</summary>
    public void Remove(string source)
    {
        lock (_gate)
        {
            if (_sources.Remove(source))
            {
                _model.Remove(source);
                PublishLocked();
            }
        }
    }

    private void PublishLocked()
    {
        if (!_published && _sources.Values.Any(v => v.Count is null && v.Waited))
        {
            return; // another source has not synced yet: keep answering SERVFAIL rather than half a table
        }

        _published = true;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        TableBuildResult result = _model.Build();
        double buildMs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        foreach (TableWarning warning in result.Warnings)
        {
            LogSkipped(logger, warning.ServiceEntry, warning.Message);
        }

        LogHave(logger, result.Table.ServiceEntryCount, _sources.Values.Sum(v => v.Count ?? 0), result.Table.HostCount, buildMs);
        LogChanges(result.Changes);
        WarnOutsideZones(result.Changes);
        holder.Publish(result.Table);
        Interlocked.Increment(ref _rebuilds);
        _lastChange = DateTimeOffset.UtcNow;
        ReleaseGarbage();
    }

    /// <summary>A big snapshot leaves garbage many times the table (10k entries: ~100 MB for ~11 MB live) that the GC keeps
    /// committed: when the heap has grown well past the last live size, compact once (at most every 30 s).</summary>
    private void ReleaseGarbage()
    {
        long heap = GC.GetTotalMemory(forceFullCollection: false);
        if (heap < Math.Max(MinimumHeapToTrim, 2 * _liveAfterTrim) || Environment.TickCount64 - _lastTrim < MinimumTrimIntervalMs)
        {
            return; // small, or trimmed lately: under a stream of events the GC's own pacing is enough
        }

        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _liveAfterTrim = GC.GetTotalMemory(forceFullCollection: false);
        _lastTrim = Environment.TickCount64;
    }

    private void LogChanges(IReadOnlyList<HostChange> hostChanges)
    {
        var changes = new List<(string Verb, HostRecord Host)>(hostChanges.Count);
        foreach (HostChange change in hostChanges)
        {
            changes.Add((change.Before is null ? "adding" : change.After is null ? "removing" : "updating", (change.After ?? change.Before)!));
        }

        bool verbose = changes.Count <= MaxMappingLines;
        if (!verbose)
        {
            LogManyChanges(logger, changes.Count);
        }

        if (!logger.IsEnabled(verbose ? LogLevel.Information : LogLevel.Debug))
        {
            return; // the first table of a big source is many thousands of lines nobody reads
        }

        foreach ((string verb, HostRecord host) in changes)
        {
            string mapping = $"{Display(host.Host)}->[{string.Join(' ', host.Addresses.Select(a => a.ToString()))}]";
            LogMapping(logger, verbose ? LogLevel.Information : LogLevel.Debug, verb, mapping);
        }
    }

    /// <summary>Hosts no --zone covers are served, but every query for them is REFUSED: a table that adds some says so once,
    /// with how many the table has in all (kept as a count, so a change costs only its own hosts).</summary>
    private void WarnOutsideZones(IReadOnlyList<HostChange> changes)
    {
        if (resolver.Zones.Count == 0)
        {
            return;
        }

        string[] zones = [.. resolver.Zones.Select(ResolverOptions.NormalizeZone)];
        bool Outside(HostRecord? host) => host is not null && ResolverOptions.ZoneOf(host.Host, zones) is null;
        var added = new List<string>();
        foreach (HostChange change in changes)
        {
            _outsideZones += (Outside(change.After) ? 1 : 0) - (Outside(change.Before) ? 1 : 0);
            if (change.Before is null && Outside(change.After))
            {
                added.Add(change.Host.TrimStart('*', '.'));
            }
        }

        if (added.Count > 0)
        {
            LogOutsideZones(logger, _outsideZones, string.Join(", ", zones), string.Join(", ", added.Take(3)));
        }
    }

    /// <summary>The original's form: FQDN with the trailing dot; a wildcard as its suffix with a leading dot.</summary>
    private static string Display(string host) => host.StartsWith("*.", StringComparison.Ordinal) ? host[1..] + "." : host + ".";

    private sealed class SourceState
    {
        public int? Count; // entries read, null until the first snapshot
        public bool Waited = true; // the first table waits for its first snapshot
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ServiceEntry {ServiceEntry}: skipped {Problem}")]
    private static partial void LogSkipped(ILogger logger, string serviceEntry, string problem);

    /// <summary><paramref name="count"/> as /debug/names shows; <paramref name="read"/> also counts entries serving nothing.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Have {Count} service entries ({Read} read; {Hosts} hosts served; table built in {BuildMs:0.0} ms)")]
    private static partial void LogHave(ILogger logger, int count, int read, int hosts, double buildMs);

    [LoggerMessage(Message = "{Verb} DNS mapping: {Mapping}")]
    private static partial void LogMapping(ILogger logger, LogLevel level, string verb, string mapping);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hosts outside every --zone ({Zones}) get REFUSED: {Count}, such as {Examples}; add their zone or leave --zone out")]
    private static partial void LogOutsideZones(ILogger logger, int count, string zones, string examples);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} DNS mappings changed; each is logged at debug level")]
    private static partial void LogManyChanges(ILogger logger, int count);
}
