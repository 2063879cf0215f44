using MeshDns.Table;

namespace MeshDns.Sources.Files;

/// <summary>
/// What a reload changed, as a delta: per namespace/name the files defining it (the last in path order wins), and the
/// entries last published. A reload works only on the ids of the files it read anew or lost, so an edit of one small file
/// among large ones costs that file, not every entry. Guarded by the reload gate.
/// </summary>
public sealed partial class FileSource
{
    private readonly Dictionary<string, List<(string File, ServiceEntryInput Entry)>> _definers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceEntryInput> _published = new(StringComparer.Ordinal);
    private readonly HashSet<string> _affected = new(StringComparer.Ordinal);
    private IReadOnlyList<ServiceEntryInput>? _snapshot; // Current, made on demand

    /// <summary>Stores a file's state; when its entries are others than before, their ids are looked at on the next publish.</summary>
    private void Store(string fullPath, FileState state)
    {
        IReadOnlyList<ServiceEntryInput> before = _files.TryGetValue(fullPath, out FileState? old) ? old.Entries : [];
        _files[fullPath] = state;
        Track(fullPath, before, state.Entries);
    }

    /// <summary>Forgets a file that is gone or no longer listed.</summary>
    private void Forget(string fullPath)
    {
        if (_files.Remove(fullPath, out FileState? old))
        {
            Track(fullPath, old.Entries, []);
        }
    }

    private void Track(string fullPath, IReadOnlyList<ServiceEntryInput> before, IReadOnlyList<ServiceEntryInput> after)
    {
        if (ReferenceEquals(before, after))
        {
            return;
        }

        foreach (ServiceEntryInput entry in before)
        {
            if (_definers.TryGetValue(entry.Id, out List<(string File, ServiceEntryInput Entry)>? files))
            {
                files.RemoveAll(f => f.File == fullPath);
                if (files.Count == 0)
                {
                    _definers.Remove(entry.Id);
                }
            }

            _affected.Add(entry.Id);
        }

        foreach (ServiceEntryInput entry in after)
        {
            if (!_definers.TryGetValue(entry.Id, out List<(string File, ServiceEntryInput Entry)>? files))
            {
                _definers.Add(entry.Id, files = []);
            }

            files.Add((fullPath, entry));
            _affected.Add(entry.Id);
        }
    }

    /// <summary>The entries set or deleted since the last publish: for each affected id, the entry of the last file in path
    /// order that defines it (an id defined by two files is logged).</summary>
    private SourceUpdate TakeChanges()
    {
        var position = new Dictionary<string, (int Index, string Display)>(StringComparer.Ordinal);
        for (int i = 0; i < _order.Count; i++)
        {
            position.TryAdd(_order[i].FullPath, (i, _order[i].Display));
        }

        var changes = new List<KeyValuePair<string, ServiceEntryInput?>>();
        foreach (string id in _affected.Order(StringComparer.Ordinal))
        {
            ServiceEntryInput? winner = Winner(id, position);
            if (winner is null ? _published.Remove(id) : !_published.TryGetValue(id, out ServiceEntryInput? was) || !ReferenceEquals(was, winner))
            {
                if (winner is not null)
                {
                    _published[id] = winner;
                }

                changes.Add(new(id, winner));
            }
        }

        _affected.Clear();
        _snapshot = null;
        return new SourceUpdate(changes, _published.Count);
    }

    private ServiceEntryInput? Winner(string id, Dictionary<string, (int Index, string Display)> position)
    {
        if (!_definers.TryGetValue(id, out List<(string File, ServiceEntryInput Entry)>? files))
        {
            return null;
        }

        List<(int Index, string Display, ServiceEntryInput Entry)> listed = [.. files
            .Where(f => position.ContainsKey(f.File))
            .Select(f => (position[f.File].Index, position[f.File].Display, f.Entry))
            .OrderBy(f => f.Index)];
        if (listed.Count > 1)
        {
            FileSourceLog.DefinedTwice(_logger, id, listed[^2].Display, listed[^1].Display);
        }

        return listed.Count == 0 ? null : listed[^1].Entry;
    }

    /// <summary>The published entries in path order (an id defined again keeps the place of its first definition).</summary>
    private IReadOnlyList<ServiceEntryInput> Snapshot()
    {
        var entries = new List<ServiceEntryInput>(_published.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string fullPath, _) in _order.Where(f => _files.ContainsKey(f.FullPath)))
        {
            foreach (ServiceEntryInput entry in _files[fullPath].Entries)
            {
                if (placed.Add(entry.Id) && _published.TryGetValue(entry.Id, out ServiceEntryInput? served))
                {
                    entries.Add(served);
                }
            }
        }

        return entries;
    }
}
