using MeshDns.Table;

namespace MeshDns.Resolver;

/// <summary>The current table, read with one volatile load (no lock on the query path); null until the first sync.</summary>
public sealed class TableHolder
{
    private volatile NameTable? _current;
    public NameTable? Current => _current;
    public void Publish(NameTable table) => _current = table;
}
