using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using k8s;

namespace MeshDns.Sources.Kubernetes;

/// <summary>An HttpClient set up from a <see cref="KubernetesClientConfiguration"/> (server, CA, client certificate, token or
/// basic auth): the only class of KubernetesClient.Aot used; requests are MeshDns's own.</summary>
public sealed class KubernetesApi : IDisposable
{
    private readonly HttpClient _http;

    public KubernetesApi(Uri server, HttpMessageHandler handler)
    {
        BaseUri = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        // Watches are long-lived streams; per-request timeouts are set by the caller instead.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("meshdns", "1"));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary>The API server, with a trailing slash.</summary>
    public Uri BaseUri { get; }

    public static KubernetesApi FromConfiguration(KubernetesClientConfiguration config)
    {
        if (string.IsNullOrEmpty(config.Host))
        {
            throw new KubernetesConfigException("the kubeconfig names no server");
        }

        var sockets = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30), // HTTP/2: notice dead connections under idle watches
            KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
        };
        sockets.SslOptions.TargetHost = string.IsNullOrEmpty(config.TlsServerName) ? null : config.TlsServerName;
        if (config.SkipTlsVerify)
        {
            sockets.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (config.SslCaCerts is { Count: > 0 } ca)
        {
            sockets.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ValidateAgainst(ca, certificate, errors);
        }

        if (LoadClientCertificate(config) is { } clientCertificate)
        {
            sockets.SslOptions.ClientCertificates = [clientCertificate];
        }

        var auth = new AuthenticationHandler(config) { InnerHandler = sockets };
        return new KubernetesApi(new Uri(config.Host), auth);
    }

    /// <summary>GET with the response streamed (headers read, body not yet).</summary>
    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        _http.GetAsync(new Uri(BaseUri, pathAndQuery), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static bool ValidateAgainst(X509Certificate2Collection ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false; // no certificate, or the name does not match
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static X509Certificate2? LoadClientCertificate(KubernetesClientConfiguration config)
    {
        string? certPem = Pem(config.ClientCertificateData, config.ClientCertificateFilePath);
        string? keyPem = Pem(config.ClientCertificateKeyData, config.ClientKeyFilePath);
        if (certPem is null || keyPem is null)
        {
            return null;
        }

        using X509Certificate2 ephemeral = X509Certificate2.CreateFromPem(certPem, keyPem);
        // TLS on Linux wants the key in a form it can export; a PKCS#12 round trip gives that.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Inline data (base64 of PEM, as kubeconfig stores it) or a file path.</summary>
    private static string? Pem(string? base64Data, string? path) =>
        !string.IsNullOrEmpty(base64Data) ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64Data))
        : string.IsNullOrEmpty(path) ? null
        : File.ReadAllText(path);

    /// <summary>Adds the Authorization header to every request; a token provider is asked each time (tokens rotate).</summary>
    private sealed class AuthenticationHandler(KubernetesClientConfiguration config) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (config.TokenProvider is not null)
            {
                request.Headers.Authorization = await config.TokenProvider.GetAuthenticationHeaderAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (!string.IsNullOrEmpty(config.AccessToken))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", config.AccessToken);
            }
            else if (!string.IsNullOrEmpty(config.Username))
            {
                string basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{config.Username}:{config.Password}"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The Kubernetes configuration cannot be used; the process exits 2 with this message.</summary>
public sealed class KubernetesConfigException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The API answered with an unexpected HTTP status.</summary>
public sealed class KubernetesApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
