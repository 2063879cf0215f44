using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MeshDns.Hosting;

/// <summary>The HTTP endpoint (--http-listen).</summary>
public static class HealthEndpoints
{
    public static string Version { get; set; } = "unknown";

    public static Task Handle(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }

        switch (context.Request.Path.Value)
        {
            case "/healthz":
                // The process is alive and its request loop runs: that is all liveness should say.
                return response.WriteAsync("ok\n");
            case "/readyz":
                var readiness = context.RequestServices.GetService(typeof(Readiness)) as Readiness;
                string? reason = readiness is null ? "starting" : readiness.NotReadyReason;
                string detail = readiness?.Detail ?? ""; // a line per cluster when several are followed
                if (reason is null)
                {
                    return response.WriteAsync("ready\n" + detail);
                }

                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return response.WriteAsync($"not ready: {reason}\n{detail}");
            case "/metrics":
                response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                return response.WriteAsync(MetricsWriter.Render(context.RequestServices.GetServices<IMetricsSource>(), Version));
            case "/debug/names" when context.RequestServices.GetService(typeof(MeshDnsOptions)) is MeshDnsOptions { DebugNames: true }:
                return DebugNames.Handle(context);
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                return response.WriteAsync("not found: try /healthz, /readyz, /metrics or /debug/names\n");
        }
    }
}
