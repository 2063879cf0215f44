using MeshDns.Resolver;
using MeshDns.Wire;
using Microsoft.Extensions.Logging;

namespace MeshDns.Frontends.Dns;

/// <summary>Per-query lines at debug level, at most 20 a second per instance; with debug off, one branch.</summary>
public sealed partial class QueryLog(ILogger logger, string transport)
{
    private readonly bool _enabled = logger.IsEnabled(LogLevel.Debug);
    private readonly RateLimitedLog _limit = new(perSecond: 20);

    public void Record(ReadOnlySpan<byte> query, in ResolveResult result)
    {
        if (!_enabled || !_limit.TryTake(out long suppressed))
        {
            return;
        }

        var reader = new DnsReader(query);
        string name = DnsHeader.TryRead(ref reader, out _) && DnsQuestion.TryRead(ref reader, out DnsQuestion question) ? question.Name.ToString() : "(unreadable)";
        LogQuery(logger, transport, name, result.QType, result.Rcode, result.Length, suppressed);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Transport} query {Name} type {Type}: rcode {Rcode}, {Length} octets ({Suppressed} lines suppressed before this)")]
    private static partial void LogQuery(ILogger logger, string transport, string name, ushort type, int rcode, int length, long suppressed);
}
