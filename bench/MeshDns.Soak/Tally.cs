using System.Collections.Concurrent;

namespace MeshDns.Soak;

/// <summary>Named counters, and the first few problems in words, printed as key=value lines at the end.</summary>
public sealed class Tally
{
    private const int KeptProblems = 20;
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly DateTime _start = DateTime.UtcNow;

    public void Add(string key, long n = 1) => _counts.AddOrUpdate(key, n, (_, v) => v + n);

    public long this[string key] => _counts.TryGetValue(key, out long v) ? v : 0;

    /// <summary>Counts <paramref name="key"/> and keeps the description (with the time into the run) if few are kept yet.</summary>
    public void Problem(string key, string what)
    {
        Add(key);
        if (_problems.Count < KeptProblems)
        {
            _problems.Enqueue($"+{(DateTime.UtcNow - _start).TotalSeconds:0.0}s {key}: {what}");
        }
    }

    public void Set(string key, long value) => _counts[key] = value;

    public void Print(TextWriter output)
    {
        foreach ((string key, long value) in _counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{key}={value}");
        }

        foreach (string problem in _problems)
        {
            output.WriteLine($"problem: {problem}");
        }
    }
}
