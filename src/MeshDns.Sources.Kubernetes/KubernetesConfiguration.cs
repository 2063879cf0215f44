using k8s;
using k8s.Exceptions;

namespace MeshDns.Sources.Kubernetes;

/// <summary>Where the Kubernetes source gets its server and credentials.</summary>
public static class KubernetesConfiguration
{
    /// <summary>
    /// In a pod with no --kubeconfig: the service account. Otherwise the kubeconfig named by --kubeconfig,
    /// else the first file of $KUBECONFIG, else ~/.kube/config, with --context or its current-context.
    /// The kubeconfig's server URL is used as written.
    /// </summary>
    public static KubernetesClientConfiguration Load(string? kubeconfig, string? context)
    {
        try
        {
            if (kubeconfig is null && context is null && KubernetesClientConfiguration.IsInCluster())
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }

            string path = kubeconfig
                ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
            if (!File.Exists(path))
            {
                throw new KubernetesConfigException($"--kubeconfig {path}: no such file");
            }

            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);
        }
        catch (KubernetesConfigException)
        {
            throw;
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

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
