using System.Collections.Concurrent;

namespace MeshDns.Sources.Kubernetes;

/// <summary>Counters of the reflector (read by metrics and tests).</summary>
public sealed class ReflectorStats
{
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);

    public long Lists;
    public long Relists;
    public long WatchRestarts;
    public long Events;
    public long InvalidObjects;
    public long OversizedEvents;
    public long Publishes;

    /// <summary>Failures in a row before the latest retry (1 after a watch that had worked).</summary>
    public long ConsecutiveFailures;

    public TimeSpan LastBackoff { get; private set; }

    /// <summary>False from a failed request to the API until a LIST or WATCH is answered again (the entries are then as of
    /// the last good state).</summary>
    public bool Reachable => Volatile.Read(ref _failing) == 0;

    private int _failing;

    internal void Answered() => Volatile.Write(ref _failing, 0);

    internal void Failed() => Volatile.Write(ref _failing, 1);

    public IReadOnlyDictionary<string, long> Errors => _errors;

    internal void Count(ref long counter) => Interlocked.Increment(ref counter);

    internal void Error(string reason) => _errors.AddOrUpdate(reason, 1, (_, n) => n + 1);

    internal void Backoff(int failures, TimeSpan delay)
    {
        Volatile.Write(ref ConsecutiveFailures, failures);
        LastBackoff = delay;
    }
}

/// <summary>Whether the latest watch worked (delivered a line, or stayed open a while): its failure then restarts the backoff.</summary>
internal sealed class WatchHealth
{
    private long _openedAt = -1;

    public bool Delivered { get; set; }

    public TimeSpan OpenFor => _openedAt < 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Environment.TickCount64 - _openedAt);

    public void Reset() => (_openedAt, Delivered) = (-1, false);

    public void Opened() => _openedAt = Environment.TickCount64;

    public bool Healthy(TimeSpan openLongEnough) => Delivered || (_openedAt >= 0 && OpenFor >= openLongEnough);
}
