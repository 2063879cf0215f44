using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MeshDns.Sources.Kubernetes;

/// <summary>The reflector's requests: version discovery and the helpers every request shares.</summary>
public sealed partial class ServiceEntryReflector
{
    /// <summary>v1 when served, else v1beta1, else v1alpha3: from discovery, or by trying LISTs when discovery fails.</summary>
    private async Task<string> ResolveVersion(CancellationToken stop)
    {
        using (var timeout = Timeout(stop))
        {
            using HttpResponseMessage response = await _api.GetAsync("apis/networking.istio.io", timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                using JsonDocument group = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false), default, timeout.Token).ConfigureAwait(false);
                var served = new HashSet<string>();
                if (group.RootElement.TryGetProperty("versions", out JsonElement versions) && versions.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement v in versions.EnumerateArray())
                    {
                        if (v.TryGetProperty("version", out JsonElement name) && name.ValueKind == JsonValueKind.String)
                        {
                            served.Add(name.GetString()!);
                        }
                    }
                }

                string? chosen = PreferredVersions.FirstOrDefault(served.Contains);
                if (chosen is not null)
                {
                    LogVersion(_logger, chosen);
                    return chosen;
                }

                throw new KubernetesApiException(HttpStatusCode.NotFound, "networking.istio.io serves none of v1, v1beta1, v1alpha3");
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new KubernetesApiException(HttpStatusCode.NotFound, "networking.istio.io is not served: are Istio's CRDs installed?");
            }
        }

        // Discovery refused (e.g. RBAC) or failing: ask for each version's list, newest first.
        foreach (string version in PreferredVersions)
        {
            using var timeout = Timeout(stop);
            using HttpResponseMessage probe = await _api.GetAsync($"{Path(version, _scopes[0].Namespace)}?limit=1", timeout.Token).ConfigureAwait(false);
            if (probe.IsSuccessStatusCode)
            {
                LogVersion(_logger, version);
                return version;
            }

            if (probe.StatusCode != HttpStatusCode.NotFound)
            {
                throw new KubernetesApiException(probe.StatusCode, $"discovery failed and listing {version} answered {(int)probe.StatusCode}");
            }
        }

        throw new KubernetesApiException(HttpStatusCode.NotFound, "no ServiceEntry version is served (tried v1, v1beta1, v1alpha3)");
    }

    private static string Path(string version, string? ns) =>
        ns is null
            ? $"apis/networking.istio.io/{version}/serviceentries"
            : $"apis/networking.istio.io/{version}/namespaces/{Uri.EscapeDataString(ns)}/serviceentries";

    private static async Task EnsureSuccess(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string message = "";
        try
        {
            using JsonDocument status = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
            message = StringProperty(status.RootElement, "message") ?? "";
        }
        catch (JsonException)
        {
            // not a Status object
        }

        throw new KubernetesApiException(response.StatusCode, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(message.Length > 0 ? ": " + message : "")}");
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

    private CancellationTokenSource Timeout(CancellationToken stop)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.RequestTimeout);
        return timeout;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Using networking.istio.io/{Version} ServiceEntries")]
    private static partial void LogVersion(ILogger logger, string version);
}
