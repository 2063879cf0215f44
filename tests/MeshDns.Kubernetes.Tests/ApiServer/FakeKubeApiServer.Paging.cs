using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MeshDns.Kubernetes.Tests.ApiServer;

/// <summary>Continue tokens and page starts, shared by the LISTs of ServiceEntries and Secrets.</summary>
public sealed partial class FakeKubeApiServer
{
    /// <summary>Like the real API server's: base64url (no padding) of {"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}.</summary>
    private static string EncodeContinue(long rv, string lastKey)
    {
        var token = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = lastKey + "\0" };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(token.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static bool TryDecodeContinue(string token, out long rv, out string startAfter)
    {
        rv = 0;
        startAfter = "";
        try
        {
            string base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            JsonObject? parsed = JsonNode.Parse(Convert.FromBase64String(base64)) as JsonObject;
            if (parsed?["v"]?.GetValue<string>() != "meta.k8s.io/v1"
                || parsed["rv"] is not JsonValue rvValue || !rvValue.TryGetValue(out rv) || rv <= 0
                || parsed["start"]?.GetValue<string>() is not { Length: > 0 } start || !start.EndsWith('\0'))
            {
                return false;
            }

            startAfter = start[..^1];
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The index of the first item whose key sorts after <paramref name="key"/> (items are in key order): a page of a
    /// large LIST costs its own items, not a walk over the ones before it.</summary>
    private static int FirstAfter<T>(List<T> items, string key, Func<T, string> keyOf)
    {
        int low = 0, high = items.Count;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (string.CompareOrdinal(keyOf(items[mid]), key) <= 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
