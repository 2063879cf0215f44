using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Tests;

/// <summary>An ILogger that keeps every message, for assertions; safe to log to from any thread.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _messages = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Messages => [.. _messages];

    public IEnumerable<string> At(LogLevel level) => Messages.Where(m => m.Level == level).Select(m => m.Message);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _messages.Enqueue((logLevel, formatter(state, exception)));
    }
}
