namespace MeshDns.Table;

public sealed partial class TableModel
{
    private TableName Name(string name)
    {
        if (!_names.TryGetValue(name, out TableName? state))
        {
            _names.Add(name, state = new TableName(name));
            _shardNames[ShardOf(state)].Add(state);
        }

        return state;
    }

    /// <summary>Recomputes a name's records from its sources; a host appearing or going changes its ancestors.</summary>
    private void Refresh(TableName name)
    {
        HostRecord? exact = TableName.Merge(name.Name, name.ExactFrom);
        HostRecord? wildcard = TableName.Merge("*." + name.Name, name.WildcardFrom);
        if ((exact is null) != (name.Exact is null))
        {
            AddBelow(Parent(name.Name), exact is null ? -1 : 1);
        }

        if ((wildcard is null) != (name.Wildcard is null))
        {
            AddBelow(name.Name, wildcard is null ? -1 : 1);
        }

        Record(name.Exact, exact);
        Record(name.Wildcard, wildcard);
        (name.Exact, name.Wildcard) = (exact, wildcard);
        _dirty.Add(name);
    }

    private void Record(HostRecord? before, HostRecord? after)
    {
        if (before is null ? after is not null : after is null || !before.Addresses.SequenceEqual(after.Addresses))
        {
            _changes.Add(new HostChange((before ?? after)!.Host, before, after));
        }
    }

    /// <summary>Counts a host in (or out of) a name and each of its ancestors; a name that starts or stops having hosts
    /// below it appears or goes as an empty non-terminal.</summary>
    private void AddBelow(string name, int delta)
    {
        for (; name.Length > 0; name = Parent(name))
        {
            TableName state = Name(name);
            int before = state.Below;
            state.Below += delta;
            if ((before == 0) != (state.Below == 0))
            {
                _dirty.Add(state);
            }
        }
    }

    private static string Parent(string name)
    {
        int dot = name.IndexOf('.');
        return dot < 0 ? string.Empty : name[(dot + 1)..];
    }

    private int ShardOf(TableName name) => NameTable.ShardOf(name.Hash, _shards.Length);

    /// <summary>A new shard count for the number of names (a power of two, about <see cref="NamesPerShard"/> names each):
    /// every name moves and every shard is rebuilt, which is rare (the count has to change fourfold).</summary>
    private HashSet<int> Reshard()
    {
        int count = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, _names.Count / NamesPerShard));
        _shardNames = [.. Enumerable.Range(0, count).Select(_ => new HashSet<TableName>())];
        _shards = new TableShard[count];
        foreach (TableName name in _names.Values)
        {
            _shardNames[ShardOf(name)].Add(name);
        }

        return [.. Enumerable.Range(0, count)];
    }
}
