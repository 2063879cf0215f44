using System.Net;
using System.Text.Json;
using MeshDns.Models.Json;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes;

/// <summary>What a <see cref="ReflectorLoop"/> fills: one namespace's (or all namespaces') objects of a store.</summary>
internal interface IReflectorTarget
{
    /// <summary>The namespace listed and watched; null for all.</summary>
    string? Namespace { get; }

    /// <summary>Names the target in log lines, e.g. "namespace istio-system".</summary>
    string Display { get; }

    /// <summary>The resourceVersion reached; set by the first complete LIST.</summary>
    string? ResourceVersion { get; }

    /// <summary>A LIST to read into; <see cref="Replace"/> takes it once complete.</summary>
    IListSink StartList();

    void Replace(IListSink list, string resourceVersion);

    /// <summary>ADDED, MODIFIED, DELETED or BOOKMARK.</summary>
    void Apply(WatchEvent e);
}

/// <summary>One target followed as client-go's reflector does: LIST, then WATCH from its resourceVersion; LIST again on 410
/// or a skipped oversized event; else retry with capped, jittered backoff. Only a complete LIST replaces the target's
/// objects, so an outage never empties it.</summary>
/// <param name="kept">What an outage keeps, for the failure line (e.g. "table").</param>
internal sealed partial class ReflectorLoop(IListerWatcher source, Uri server, ReflectorOptions options, ReflectorStats stats, string resourceName, string kept, ILogger logger)
{
    /// <summary>A watch that ends sooner than this without any event counts as a failure (backoff).</summary>
    private static readonly TimeSpan MinimumQuietWatch = TimeSpan.FromSeconds(1);

    /// <summary>Runs until <paramref name="stop"/>; never throws.</summary>
    public async Task RunAsync(IReflectorTarget target, CancellationToken stop)
    {
        int failures = 0;
        bool mustList = true;
        var watch = new WatchHealth();
        while (!stop.IsCancellationRequested)
        {
            watch.Reset();
            try
            {
                if (mustList)
                {
                    IListSink list = target.StartList();
                    target.Replace(list, await source.ListAsync(target.Namespace, list, stop).ConfigureAwait(false));
                    mustList = false;
                    failures = 0;
                    stats.Answered();
                }

                if (await Watch(target, watch, stop).ConfigureAwait(false))
                {
                    stats.Count(ref stats.Relists);
                    mustList = true;
                    continue;
                }

                if (watch.Delivered)
                {
                    failures = 0;
                }

                if (watch.Delivered || watch.OpenFor > MinimumQuietWatch)
                {
                    continue; // the server's timeout: renew at once from the last resourceVersion
                }

                // Closed at once with nothing delivered, again and again: back off rather than spin.
                stats.Error("closed");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                mustList |= OnFailure(target, e);
            }

            // A watch that worked and then broke starts the backoff over, as client-go's backoff manager
            // does; only failures in a row (nothing delivered, short-lived) make it grow.
            failures = watch.Healthy(options.HealthyWatch) ? 1 : failures + 1;
            if (!await Backoff(failures, stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Follows one watch until it ends; true when the target must be listed again (410, or a skipped event).</summary>
    private async Task<bool> Watch(IReflectorTarget target, WatchHealth health, CancellationToken stop)
    {
        await foreach (WatchEvent e in source.WatchAsync(target.Namespace, target.ResourceVersion!, stop).ConfigureAwait(false))
        {
            switch (e.Type)
            {
                case WatchEvent.Opened:
                    health.Opened();
                    stats.Answered();
                    continue;
                case WatchEvent.Oversized:
                    stats.Count(ref stats.OversizedEvents);
                    LogOversized(logger, target.Display, options.MaxEventBytes / 1024, resourceName);
                    return true;
                case WatchEvent.Expired:
                    LogGone(logger, target.Display);
                    return true;
            }

            stats.Count(ref stats.Events);
            int code = e.Type == WatchEvent.Error && e.Object.TryGetProperty("code", out JsonElement c) && c.TryGetInt32(out int n) ? n : 0;
            if (code == (int)HttpStatusCode.Gone)
            {
                LogGone(logger, target.Display);
                return true;
            }

            if (e.Type == WatchEvent.Error)
            {
                throw new KubernetesApiException((HttpStatusCode)code, "watch error: " + (ServiceEntryJson.StringProperty(e.Object, "message") ?? "no message"));
            }

            target.Apply(e);
            health.Delivered = true;
        }

        return false;
    }

    /// <summary>Counts and logs a failure; true when the target must be listed again.</summary>
    private bool OnFailure(IReflectorTarget target, Exception e)
    {
        string reason = Reason(e);
        stats.Error(reason);
        stats.Failed();
        LogFailure(logger, target.Display, reason, ApiErrors.Describe(e, server, resourceName), kept);
        return e is KubernetesApiException { Status: HttpStatusCode.NotFound }; // the version may have gone (CRD changed)
    }

    private static string Reason(Exception e) => e switch
    {
        KubernetesApiException { Status: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } => "unauthorized",
        KubernetesApiException { Status: HttpStatusCode.NotFound } => "not-found",
        KubernetesApiException => "http-error",
        TimeoutException => "timeout",
        InvalidDataException => "malformed",
        HttpRequestException or IOException => "connection",
        _ => "other",
    };

    /// <summary>Waits before the next attempt; false when stopped meanwhile.</summary>
    private async Task<bool> Backoff(int failures, CancellationToken stop)
    {
        double max = options.MaxBackoff.TotalMilliseconds;
        double delay = Math.Min(max, options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)));
        TimeSpan jittered = TimeSpan.FromMilliseconds((delay / 2) + (Random.Shared.NextDouble() * delay / 2)); // in [d/2, d]
        stats.Backoff(failures, jittered);
        stats.Count(ref stats.WatchRestarts); // after the backoff's figures: a reader that sees the count sees them
        await Task.Delay(jittered, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return !stop.IsCancellationRequested;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Scope}: resourceVersion expired (410), listing again")]
    private static partial void LogGone(ILogger logger, string scope);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Scope}: skipped an event longer than {KiB} KiB (that object of {Resource} is unknown), listing again")]
    private static partial void LogOversized(ILogger logger, string scope, int kib, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kubernetes API ({Scope}): {Reason}: {Message}; keeping the last good {Kept} and retrying")]
    private static partial void LogFailure(ILogger logger, string scope, string reason, string message, string kept);
}
