using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace MeshDns.Sources.Kubernetes;

/// <summary>Where the Kubernetes source gets its server and credentials.</summary>
public static class KubernetesConfiguration
{
    /// <summary>In a pod with no --kubeconfig: the service account. Else --kubeconfig, the first file of $KUBECONFIG, or
    /// ~/.kube/config, with --context or its current-context.</summary>
    /// <param name="requestedBy">The flag that asked for the Kubernetes source when --kubeconfig was not given.</param>
    public static KubernetesClientConfiguration Load(string? kubeconfig, string? context, string requestedBy = "--namespace")
    {
        try
        {
            if (kubeconfig is null && context is null && KubernetesClientConfiguration.IsInCluster())
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }

            return FromFile(FindFile(kubeconfig, requestedBy), context);
        }
        catch (KubeConfigException e)
        {
            throw new KubernetesConfigException($"{(context is null ? "--kubeconfig" : "--context " + context)}: {OneLine(e.Message)}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or YamlDotNet.Core.YamlException or ArgumentException)
        {
            throw new KubernetesConfigException($"--kubeconfig: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>A kubeconfig held in memory (e.g. an Istio remote secret's value), at its current-context. Only inline
    /// credentials are taken: a kubeconfig that names local files or runs a command (exec, auth-provider) is refused, as
    /// it comes from the API and must not reach into this pod. Messages never quote the contents.</summary>
    /// <param name="source">Names the kubeconfig in messages, e.g. "secret istio-system/istio-remote-secret-a, cluster a".</param>
    public static KubernetesClientConfiguration FromKubeconfig(ReadOnlySpan<byte> kubeconfig, string source)
    {
        if (kubeconfig.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new KubernetesConfigException($"{source}: the kubeconfig is empty");
        }

        try
        {
            using var stream = new MemoryStream(kubeconfig.ToArray(), writable: false);
            K8SConfiguration file = KubernetesClientConfiguration.LoadKubeConfig(stream);
            if (Unsafe(file) is { } refused)
            {
                throw new KubernetesConfigException($"{source}: the kubeconfig {refused}; only inline credentials are accepted");
            }

            return FromConfig(file, null);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new KubernetesConfigException($"{source}: the kubeconfig is not valid YAML (line {e.Start.Line})", e);
        }
        catch (Exception e) when (e is KubeConfigException or FormatException or ArgumentException or InvalidOperationException or NullReferenceException)
        {
            // The library's own messages name contexts and users, never credentials; other messages are not quoted.
            string reason = e is KubeConfigException ? OneLine(e.Message) : e.GetType().Name;
            throw new KubernetesConfigException($"{source}: the kubeconfig is unusable: {reason}", e);
        }
    }

    /// <summary>Why an in-memory kubeconfig's current context reaches outside it; null when it does not.</summary>
    private static string? Unsafe(K8SConfiguration file)
    {
        ContextDetails? context = file.Contexts?.FirstOrDefault(c => c.Name == file.CurrentContext)?.ContextDetails;
        ClusterEndpoint? cluster = file.Clusters?.FirstOrDefault(c => c.Name == context?.Cluster)?.ClusterEndpoint;
        UserCredentials? user = file.Users?.FirstOrDefault(u => u.Name == context?.User)?.UserCredentials;
        return !string.IsNullOrEmpty(cluster?.CertificateAuthority) ? "names a certificate-authority file"
            : !string.IsNullOrEmpty(user?.ClientCertificate) || !string.IsNullOrEmpty(user?.ClientKey) ? "names a client certificate or key file"
            : user?.ExternalExecution is not null ? "runs a command (exec)"
            : user?.AuthProvider is not null ? "uses an auth-provider"
            : null;
    }

    private static string FindFile(string? kubeconfig, string requestedBy)
    {
        if (kubeconfig is not null)
        {
            return File.Exists(kubeconfig) ? kubeconfig : throw new KubernetesConfigException($"--kubeconfig {kubeconfig}: no such file");
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        string home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        string path = fromEnvironment ?? home;
        if (File.Exists(path))
        {
            return path;
        }

        string looked = fromEnvironment is null ? $"$KUBECONFIG is unset, {home} does not exist" : $"$KUBECONFIG names {fromEnvironment}, which does not exist";
        string pod = KubernetesClientConfiguration.IsInCluster() ? "the pod's service account is not used with --context" : "not in a pod (no service account)";
        throw new KubernetesConfigException($"{requestedBy} needs the Kubernetes source, but there is no kubeconfig: {pod}, {looked}; give --kubeconfig PATH");
    }

    private static KubernetesClientConfiguration FromFile(string path, string? context) =>
        FromConfig(KubernetesClientConfiguration.LoadKubeConfig(path), context);

    /// <summary>The kubeconfig's context; a user with no credentials at all gets none instead of an error.</summary>
    private static KubernetesClientConfiguration FromConfig(K8SConfiguration file, string? context)
    {
        string? contextName = context ?? file.CurrentContext;
        string? userName = file.Contexts?.FirstOrDefault(c => c.Name == contextName)?.ContextDetails?.User;
        User? user = file.Users?.FirstOrDefault(u => u.Name == userName);
        if (user is null || !HasNoCredentials(user.UserCredentials))
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigObject(file, context);
        }

        // The client library refuses such a user; give it a placeholder token and take it out again.
        string placeholder = "meshdns-no-credentials-" + Guid.NewGuid().ToString("N");
        user.UserCredentials = new UserCredentials { Token = placeholder };
        KubernetesClientConfiguration config = KubernetesClientConfiguration.BuildConfigFromConfigObject(file, context);
        config.AccessToken = config.AccessToken == placeholder ? null : config.AccessToken;
        return config;
    }

    private static bool HasNoCredentials(UserCredentials? c) =>
        c is null || (string.IsNullOrWhiteSpace(c.Token) && string.IsNullOrWhiteSpace(c.UserName) && string.IsNullOrWhiteSpace(c.Password)
            && string.IsNullOrWhiteSpace(c.ClientCertificateData) && string.IsNullOrWhiteSpace(c.ClientCertificate)
            && string.IsNullOrWhiteSpace(c.ClientKeyData) && string.IsNullOrWhiteSpace(c.ClientKey)
            && c.AuthProvider is null && c.ExternalExecution is null);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
