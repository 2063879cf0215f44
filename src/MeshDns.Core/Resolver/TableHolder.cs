using MeshDns.Table;

namespace MeshDns.Resolver;

/// <summary>
/// The current table. Sources publish a whole new table; queries read whichever table is current with
/// one volatile load, so the query path takes no lock. Null until the source's first sync.
/// </summary>
public sealed class TableHolder
{
    private volatile NameTable? _current;

    public NameTable? Current => _current;

    public void Publish(NameTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _current = table;
    }
}
