namespace MeshDns.Resolver;

/// <summary>
/// At most <c>perSecond</c> log lines a second, counting the ones held back (used by the frontends'
/// per-query QueryLog and the gRPC endpoint's malformed-request lines), so that a flood of queries or
/// bad requests cannot become a flood of logs.
/// </summary>
public sealed class RateLimitedLog(int perSecond)
{
    private readonly Lock _gate = new();
    private long _window;
    private int _count;
    private long _suppressed;

    /// <summary>True when a line may be written now; <paramref name="suppressed"/> is how many were held back since the last one.</summary>
    public bool TryTake(out long suppressed)
    {
        long second = Environment.TickCount64 / 1000;
        lock (_gate)
        {
            if (second != _window)
            {
                _window = second;
                _count = 0;
            }

            if (++_count > perSecond)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
