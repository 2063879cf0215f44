using System.Globalization;
using System.Text;

namespace MeshDns.Kubernetes.Tests.ApiServer;

/// <summary>
/// Writes kubeconfig files (apiVersion v1, kind Config) with one cluster, one user and one context, which is
/// the current-context. The cluster and user are named "&lt;context&gt;-cluster" and "&lt;context&gt;-user", so a
/// client that looks them up by the context's name instead of following its references is caught.
/// </summary>
public static class KubeconfigWriter
{
    /// <summary>Writes the kubeconfig rendered by <see cref="Render"/> to <paramref name="path"/>.</summary>
    public static void Write(
        string path,
        Uri server,
        string? token,
        string? caPem = null,
        bool insecureSkipTlsVerify = false,
        string contextName = "test",
        string? ns = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllText(path, Render(server, token, caPem, insecureSkipTlsVerify, contextName, ns), new UTF8Encoding(false));
    }

    /// <summary>
    /// A kubeconfig for <paramref name="server"/>: its certificate-authority-data is <paramref name="caPem"/>
    /// (base64 of the PEM, as kubectl writes it), the user authenticates with <paramref name="token"/> (none
    /// when null), and the context's namespace is <paramref name="ns"/> (none when null). A CA together with
    /// insecure-skip-tls-verify is rejected, as kubectl does.
    /// </summary>
    public static string Render(
        Uri server,
        string? token,
        string? caPem = null,
        bool insecureSkipTlsVerify = false,
        string contextName = "test",
        string? ns = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(contextName);
        if (caPem is not null && insecureSkipTlsVerify)
        {
            throw new ArgumentException("specifying a root certificates file with the insecure flag is not allowed", nameof(insecureSkipTlsVerify));
        }

        // The server URL without the trailing slash of an empty path, as kubeconfigs usually hold it.
        string url = server.AbsolutePath == "/" ? server.GetLeftPart(UriPartial.Authority) : server.AbsoluteUri;
        string cluster = contextName + "-cluster";
        string user = contextName + "-user";

        var yaml = new StringBuilder();
        yaml.Append("apiVersion: v1\n");
        yaml.Append("kind: Config\n");
        yaml.Append("preferences: {}\n");
        yaml.Append("clusters:\n");
        yaml.Append("- name: ").Append(Quote(cluster)).Append('\n');
        yaml.Append("  cluster:\n");
        yaml.Append("    server: ").Append(Quote(url)).Append('\n');
        if (caPem is not null)
        {
            yaml.Append("    certificate-authority-data: ").Append(Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem))).Append('\n');
        }

        if (insecureSkipTlsVerify)
        {
            yaml.Append("    insecure-skip-tls-verify: true\n");
        }

        yaml.Append("users:\n");
        yaml.Append("- name: ").Append(Quote(user)).Append('\n');
        if (token is null)
        {
            yaml.Append("  user: {}\n");
        }
        else
        {
            yaml.Append("  user:\n");
            yaml.Append("    token: ").Append(Quote(token)).Append('\n');
        }

        yaml.Append("contexts:\n");
        yaml.Append("- name: ").Append(Quote(contextName)).Append('\n');
        yaml.Append("  context:\n");
        yaml.Append("    cluster: ").Append(Quote(cluster)).Append('\n');
        yaml.Append("    user: ").Append(Quote(user)).Append('\n');
        if (ns is not null)
        {
            yaml.Append("    namespace: ").Append(Quote(ns)).Append('\n');
        }

        yaml.Append("current-context: ").Append(Quote(contextName)).Append('\n');
        return yaml.ToString();
    }

    /// <summary>A YAML double-quoted scalar.</summary>
    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                case '\n':
                    quoted.Append("\\n");
                    break;
                case '\r':
                    quoted.Append("\\r");
                    break;
                case '\t':
                    quoted.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c))
                    {
                        quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        quoted.Append(c);
                    }

                    break;
            }
        }

        return quoted.Append('"').ToString();
    }
}
