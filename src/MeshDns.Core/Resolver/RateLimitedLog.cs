namespace MeshDns.Resolver;

/// <summary>At most <c>perSecond</c> log lines a second, counting those held back: a flood of queries is not a flood of logs.</summary>
public sealed class RateLimitedLog(int perSecond)
{
    private readonly Lock _gate = new();
    private long _window;
    private int _count;
    private long _suppressed;

    /// <summary><paramref name="suppressed"/>: lines held back since the last one taken.</summary>
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
