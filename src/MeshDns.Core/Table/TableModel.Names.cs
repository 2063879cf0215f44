using System.Net;
using System.Net.Sockets;

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

    /// <summary>Recomputes a name's records from its sources; a host appearing or going changes its ancestors, and its
    /// addresses' reverse names.</summary>
    private void Refresh(TableName name)
    {
        HostRecord? exact = TableName.Merge(name.Name, name.ExactFrom);
        HostRecord? wildcard = TableName.Merge("*." + name.Name, name.WildcardFrom);
        if ((wildcard is null) != (name.Wildcard is null))
        {
            AddBelow(name.Name, wildcard is null ? -1 : 1);
        }

        Record(name.Exact, exact);
        Record(name.Wildcard, wildcard);
        Point(name, name.Exact?.Addresses ?? [], exact?.Addresses ?? []);
        bool had = name.HasOwn;
        (name.Exact, name.Wildcard) = (exact, wildcard);
        Exists(name, had);
    }

    /// <summary>Moves an exact host between the reverse names of the addresses it stopped and started serving. Only the
    /// reverse names the resolver can answer (no zones, or inside one) are kept: the rest would cost memory for nothing.</summary>
    private void Point(TableName host, IReadOnlyList<IPAddress> before, IReadOnlyList<IPAddress> after)
    {
        if (!_reversible.V4 && !_reversible.V6)
        {
            return;
        }

        foreach (IPAddress gone in before.Except(after))
        {
            if (Reverse(gone) is { } reverse)
            {
                reverse.RemovePtr(host);
                _reverse.Add(reverse);
            }
        }

        foreach (IPAddress added in after.Except(before))
        {
            if (Reverse(added) is { } reverse)
            {
                reverse.AddPtr(host);
                _reverse.Add(reverse);
            }
        }
    }

    private TableReverse? Reverse(IPAddress address)
    {
        if (!(address.AddressFamily == AddressFamily.InterNetwork ? _reversible.V4 : _reversible.V6))
        {
            return null;
        }

        string name = ReverseNames.Of(address); // made once: it gives the hash (shard) and the zone test
        var probe = new TableReverse(AddressKey.Of(address), name);
        HashSet<TableReverse> shard = _shardReverses[ShardOf(probe)];
        if (shard.TryGetValue(probe, out TableReverse? state))
        {
            return state;
        }

        if (!ReverseNames.IsInside(name, options.Zones))
        {
            return null;
        }

        shard.Add(probe);
        _reverseCount++;
        return probe;
    }

    /// <summary>Serves a reverse name's PTR targets from the hosts pointing at it now (they changed, or it would not be
    /// here); its ancestors count it as a name with records of its own, as they count a host.</summary>
    private void RefreshReverse(TableReverse reverse)
    {
        bool had = reverse.PtrShown > 0;
        reverse.ShowPtrs();
        if (had != reverse.PtrShown > 0)
        {
            AddBelow(Parent(ReverseNames.Of(reverse.Address.ToAddress())), had ? -1 : 1);
        }
    }

    /// <summary>Marks a name for its shard's rebuild; when it starts or stops having records, its ancestors count it.</summary>
    private void Exists(TableName name, bool had)
    {
        if (had != name.HasOwn)
        {
            AddBelow(Parent(name.Name), had ? -1 : 1);
        }

        _dirty.Add(name);
    }

    private void Record(HostRecord? before, HostRecord? after)
    {
        if (before is null ? after is not null : after is null || !before.ServesAs(after))
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

    private int ShardOf(TableReverse reverse) => NameTable.ShardOf(reverse.Hash, _shards.Length);

    /// <summary>A new shard count for the number of names (a power of two, about <see cref="NamesPerShard"/> names each):
    /// every name moves and every shard is rebuilt, which is rare (the count has to change fourfold).</summary>
    private HashSet<int> Reshard()
    {
        int count = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Count / NamesPerShard));
        TableReverse[] reverses = [.. _shardReverses.SelectMany(s => s)];
        _shardNames = [.. Enumerable.Range(0, count).Select(_ => new HashSet<TableName>())];
        _shardReverses = [.. Enumerable.Range(0, count).Select(_ => new HashSet<TableReverse>(TableReverse.ByAddress))];
        _shards = new TableShard[count];
        foreach (TableName name in _names.Values)
        {
            _shardNames[ShardOf(name)].Add(name);
        }

        foreach (TableReverse reverse in reverses)
        {
            _shardReverses[ShardOf(reverse)].Add(reverse);
        }

        return [.. Enumerable.Range(0, count)];
    }
}
