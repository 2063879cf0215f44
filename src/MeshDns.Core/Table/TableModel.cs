namespace MeshDns.Table;

/// <summary>A host whose served record changed: added (Before null), removed (After null), or updated.</summary>
public sealed record HostChange(string Host, HostRecord? Before, HostRecord? After);

/// <summary>The builder's side of the table: every source's entries, per name the entries serving it, and the shards of the
/// last table. A change costs the entries it names, the names they touch, and the shards holding those names; the table
/// published stays immutable and shares untouched shards with the one before. One writer at a time (not thread-safe).</summary>
public sealed partial class TableModel(TableOptions options, uint previousSerial = 0)
{
    private const int NamesPerShard = 256; // shard size when the shard count is chosen: a change rebuilds about this many
    private const int ReshardAbove = 4 * NamesPerShard; // average shard size that triggers a new shard count
    private const int SmallSet = 4096; // work sets of this many names keep their room between builds
    private const int ParallelEntries = 4096, ParallelShards = 16, MaxWorkers = 8; // work split over threads from these counts
    private readonly Dictionary<string, Dictionary<string, EntryState>> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TableName> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal); // source: prefix of its entries' names
    private readonly HashSet<TableName> _touched = []; // sources changed: records to recompute
    private readonly HashSet<TableName> _dirty = []; // served state changed: their shards to rebuild
    private readonly HashSet<TableReverse> _reverse = []; // reverse names whose hosts changed: PTRs to recompute
    private readonly List<HostChange> _changes = [];
    private readonly List<EntryState> _warned = [];
    private HashSet<TableName>[] _shardNames = [[]];
    private HashSet<TableReverse>[] _shardReverses = [new(TableReverse.ByAddress)]; // reverse names kept, by address
    private int _reverseCount;
    private TableShard[] _shards = [TableShard.Empty];
    private int _contributing;
    private int _mark;
    private uint _serial = previousSerial;
    private readonly (bool V4, bool V6) _reversible = ReverseNames.Families(options.Zones);

    /// <summary>Replaces one source's entries with a snapshot: only the entries that are new, gone, or another instance
    /// than before (sources keep unchanged entries' instances) are worked on.</summary>
    public void Replace(string source, IEnumerable<ServiceEntryInput> snapshot)
    {
        Dictionary<string, EntryState> entries = EntriesOf(source);
        int mark = ++_mark;
        var changed = new List<ServiceEntryInput>();
        foreach (ServiceEntryInput entry in snapshot)
        {
            if (entries.TryGetValue(entry.Id, out EntryState? known))
            {
                known.Mark = mark;
                if (ReferenceEquals(known.Input, entry))
                {
                    continue;
                }
            }

            changed.Add(entry);
        }

        foreach (EntryState gone in entries.Values.Where(e => e.Mark != mark).ToList())
        {
            Set(entries, gone.Input.Id, null);
        }

        Update(source, changed);
    }

    /// <summary>Names the entries of <paramref name="source"/> <c>label/namespace/name</c> among a host's sources (a cluster's
    /// name when several are followed); set before the source's first entries.</summary>
    public void Label(string source, string label) => _labels[source] = label;

    /// <summary>Drops every entry of <paramref name="source"/> (a cluster no longer followed) and forgets the source.</summary>
    public void Remove(string source)
    {
        Replace(source, []);
        _sources.Remove(source);
        _labels.Remove(source);
    }

    /// <summary>Sets (entry) or deletes (null) entries of one source by namespace/name.</summary>
    public void Apply(string source, IEnumerable<KeyValuePair<string, ServiceEntryInput?>> changes)
    {
        Dictionary<string, EntryState> entries = EntriesOf(source);
        var changed = new List<ServiceEntryInput>();
        var last = new Dictionary<string, ServiceEntryInput?>(StringComparer.Ordinal); // a burst may name an entry twice
        foreach ((string id, ServiceEntryInput? entry) in changes)
        {
            last[entry?.Id ?? id] = entry;
        }

        foreach ((string id, ServiceEntryInput? entry) in last)
        {
            if (entry is null)
            {
                Set(entries, id, null);
            }
            else if (!entries.TryGetValue(entry.Id, out EntryState? known) || !ReferenceEquals(known.Input, entry))
            {
                changed.Add(entry);
            }
        }

        Update(source, changed);
    }

    /// <summary>The table after every change so far, the warnings of entries changed since the last table, and the hosts
    /// whose records changed. Rebuilds only the shards of changed names (all of them when the shard count changes).</summary>
    public TableBuildResult Build()
    {
        foreach (TableName name in _touched)
        {
            Refresh(name);
        }

        foreach (TableReverse reverse in _reverse)
        {
            RefreshReverse(reverse);
        }

        Empty(_touched);
        HashSet<int> shards = [.. _dirty.Select(ShardOf), .. _reverse.Select(ShardOf)];
        Forget();
        if (Count > _shards.Length * ReshardAbove || (_shards.Length > 1 && Count < _shards.Length * NamesPerShard / 8))
        {
            shards = Reshard();
        }

        TableShard[] next = [.. _shards];
        int[] rebuild = [.. shards];
        ForEach(rebuild.Length, ParallelShards, i => next[rebuild[i]] = TableShard.Build(_shardNames[rebuild[i]], _shardReverses[rebuild[i]]));
        _shards = next;
        uint now = (uint)Math.Clamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1, uint.MaxValue);
        _serial = Math.Max(_serial + 1, now);
        TableWarning[] warnings = [.. _warned.Order(Comparer<EntryState>.Create(EntryState.Compare)).Select(e => e.Prepared!.Warning!)];
        var result = new TableBuildResult(new NameTable(next, _serial, _contributing), warnings, [.. _changes.OrderBy(c => c.Host, StringComparer.Ordinal)]);
        _warned.Clear();
        _changes.Clear();
        _changes.Capacity = Math.Min(_changes.Capacity, SmallSet);
        return result;
    }

    /// <summary>Names and reverse names kept: the shard count follows it.</summary>
    private int Count => _names.Count + _reverseCount;

    /// <summary>Drops the names and reverse names changed since the last table that serve nothing now.</summary>
    private void Forget()
    {
        foreach (TableName name in _dirty.Where(n => n.IsUnused))
        {
            _names.Remove(name.Name);
            _shardNames[ShardOf(name)].Remove(name);
        }

        foreach (TableReverse reverse in _reverse.Where(r => r.IsUnused))
        {
            _shardReverses[ShardOf(reverse)].Remove(reverse);
            _reverseCount--;
        }

        Empty(_dirty);
        Empty(_reverse);
    }

    /// <summary>Clears a set of this build's work; after a big one (the first load) also frees its room, which Clear keeps
    /// (hundreds of thousands of slots for nothing), while small changes reuse theirs.</summary>
    private static void Empty<T>(HashSet<T> set)
    {
        int count = set.Count;
        set.Clear();
        if (count > SmallSet)
        {
            set.TrimExcess();
        }
    }

    private Dictionary<string, EntryState> EntriesOf(string source)
    {
        if (!_sources.TryGetValue(source, out Dictionary<string, EntryState>? entries))
        {
            _sources.Add(source, entries = new Dictionary<string, EntryState>(StringComparer.Ordinal));
        }

        return entries;
    }

    /// <summary>Prepares the changed entries (over the cores when many, as in a first load), then puts them in place.</summary>
    private void Update(string source, List<ServiceEntryInput> changed)
    {
        var prepared = new PreparedEntry?[changed.Count];
        ForEach(changed.Count, ParallelEntries, i => prepared[i] = NameTableBuilder.IsServed(changed[i].Resolution) ? NameTableBuilder.Prepare(changed[i], options) : null);
        Dictionary<string, EntryState> entries = EntriesOf(source);
        string? label = _labels.GetValueOrDefault(source);
        for (int i = 0; i < changed.Count; i++)
        {
            Set(entries, changed[i].Id, new EntryState(source, changed[i], prepared[i], label));
        }
    }

    private void Set(Dictionary<string, EntryState> entries, string id, EntryState? entry)
    {
        if (entries.Remove(id, out EntryState? old))
        {
            Attach(old, attach: false);
        }

        if (entry is not null)
        {
            entries.Add(id, entry);
            Attach(entry, attach: true);
            if (entry.Prepared?.Warning is not null)
            {
                _warned.Add(entry);
            }
        }
    }

    /// <summary>Adds or removes an entry as a source of each of its hosts.</summary>
    private void Attach(EntryState entry, bool attach)
    {
        if (entry.Prepared is not { Hosts.Length: > 0 } prepared)
        {
            return;
        }

        _contributing += attach ? 1 : -1;
        foreach ((string host, System.Net.IPAddress[] addresses) in prepared.Hosts)
        {
            bool wildcard = host.StartsWith("*.", StringComparison.Ordinal);
            TableName name = Name(wildcard ? host[2..] : host);
            HostSource[] sources = wildcard ? name.WildcardFrom : name.ExactFrom;
            sources = attach ? TableName.Insert(sources, new HostSource(entry, addresses)) : TableName.Remove(sources, entry);
            if (wildcard)
            {
                name.WildcardFrom = sources;
            }
            else
            {
                name.ExactFrom = sources;
            }

            _touched.Add(name);
        }
    }

    private static void ForEach(int count, int parallelFrom, Action<int> work)
    {
        int workers = count >= parallelFrom ? Math.Min(Environment.ProcessorCount, MaxWorkers) : 1;
        void Work(int first)
        {
            for (int i = first; i < count; i += workers)
            {
                work(i);
            }
        }

        Task[] others = [.. Enumerable.Range(1, workers - 1).Select(w => Task.Run(() => Work(w)))];
        Work(0);
        Task.WaitAll(others);
    }
}
