using Microsoft.AspNetCore.Http;

namespace MeshDns.Hosting;

/// <summary>The HTTP endpoint (--http-listen): /healthz and /readyz for Kubernetes probes.</summary>
public static class HealthEndpoints
{
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
                string? reason = context.RequestServices.GetService(typeof(Readiness)) is Readiness readiness ? readiness.NotReadyReason : "starting";
                if (reason is null)
                {
                    return response.WriteAsync("ready\n");
                }

                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return response.WriteAsync($"not ready: {reason}\n");
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                return response.WriteAsync("not found: try /healthz or /readyz\n");
        }
    }
}
