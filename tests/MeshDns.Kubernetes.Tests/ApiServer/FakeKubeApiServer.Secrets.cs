using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MeshDns.Kubernetes.Tests.ApiServer;

/// <summary>
/// Core v1 Secrets, namespaced: written through <see cref="CreateSecret"/>, <see cref="UpdateSecret"/> and
/// <see cref="DeleteSecret"/> (labels and data), served by LIST (labelSelector, limit/continue paging over a consistent
/// snapshot) and WATCH (labelSelector, bookmarks, timeoutSeconds) at <c>/api/v1/namespaces/NS/secrets</c>. Their
/// resourceVersions come from the same counter as the ServiceEntries' (one etcd), and <see cref="Compact"/> applies to both.
/// A selector watch sees what the real API server's watch cache sends: an object that starts matching arrives as ADDED,
/// one that stops matching as DELETED (its last matching state, at the new resourceVersion).
/// </summary>
public sealed partial class FakeKubeApiServer
{
    // Guarded by _gate, like the ServiceEntry store. Keys are "namespace/name".
    private readonly SortedDictionary<string, SecretObject> _secrets = new(StringComparer.Ordinal);
    private readonly List<SecretEvent> _secretEvents = [];

    private volatile bool _secretsForbidden;

    /// <summary>From now on every request for secrets is answered 403, as when the Role granting them is missing.</summary>
    public void ForbidSecrets() => _secretsForbidden = true;

    /// <summary>Creates a Secret (type Opaque) with <paramref name="data"/> (stored base64, as the API does); returns its resourceVersion.</summary>
    public string CreateSecret(string ns, string name, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, byte[]> data) =>
        WriteSecret(ns, name, labels, data, mustExist: false);

    /// <summary>Replaces a Secret's labels and data (an unchanged write still bumps the resourceVersion); returns the new one.</summary>
    public string UpdateSecret(string ns, string name, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, byte[]> data) =>
        WriteSecret(ns, name, labels, data, mustExist: true);

    /// <summary>Deletes a Secret; its DELETED event carries the last state at a new resourceVersion, which is returned.</summary>
    public string DeleteSecret(string ns, string name)
    {
        lock (_gate)
        {
            SecretObject previous = _secrets.GetValueOrDefault(Key(ns, name)) ?? throw new KeyNotFoundException($"secrets \"{name}\" not found in namespace {ns}");
            long rv = ++_resourceVersion;
            _secrets.Remove(Key(ns, name));
            _secretEvents.Add(new SecretEvent(rv, null, previous));
            PulseLocked();
            return rv.ToString(CultureInfo.InvariantCulture);
        }
    }

    private string WriteSecret(string ns, string name, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, byte[]> data, bool mustExist)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            SecretObject? previous = _secrets.GetValueOrDefault(Key(ns, name));
            if (mustExist != previous is not null)
            {
                throw mustExist ? new KeyNotFoundException($"secrets \"{name}\" not found in namespace {ns}") : new InvalidOperationException($"secrets \"{name}\" already exists in namespace {ns}");
            }

            long rv = ++_resourceVersion;
            var next = new SecretObject(ns, name, new Dictionary<string, string>(labels, StringComparer.Ordinal), SecretJson(ns, name, rv, labels, data));
            _secrets[Key(ns, name)] = next;
            _secretEvents.Add(new SecretEvent(rv, next, previous));
            PulseLocked();
            return rv.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string SecretJson(string ns, string name, long rv, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, byte[]> data)
    {
        var labelJson = new JsonObject();
        foreach ((string key, string value) in labels)
        {
            labelJson[key] = value;
        }

        var dataJson = new JsonObject();
        foreach ((string key, byte[] value) in data)
        {
            dataJson[key] = Convert.ToBase64String(value);
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture), ["labels"] = labelJson },
            ["type"] = "Opaque",
            ["data"] = dataJson,
        }.ToJsonString();
    }

    private Task SecretListAsync(HttpContext context, string ns)
    {
        IQueryCollection query = context.Request.Query;
        if (!LabelSelector.TryParse(query["labelSelector"].ToString(), out LabelSelector? selector))
        {
            return WriteStatusAsync(context, 400, "BadRequest", $"unable to parse requirement: {query["labelSelector"]}");
        }

        int pageSize = query.TryGetValue("limit", out StringValues limit) && int.TryParse(limit.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : int.MaxValue;
        string continueToken = query["continue"].ToString();
        long snapshotRv;
        string? startAfter = null;
        List<SecretObject> items;
        lock (_gate)
        {
            snapshotRv = _resourceVersion;
            if (continueToken.Length > 0)
            {
                if (!TryDecodeContinue(continueToken, out snapshotRv, out startAfter) || snapshotRv > _resourceVersion)
                {
                    return WriteStatusAsync(context, 400, "BadRequest", "continue key is not valid");
                }

                if (snapshotRv < _compactedResourceVersion)
                {
                    return WriteStatusAsync(context, 410, "Expired", "The provided continue parameter is too old to display a consistent list result.");
                }
            }

            items = [.. SecretSnapshotLocked(snapshotRv).Where(s => s.Namespace == ns && selector!.Matches(s.Labels))];
        }

        int start = startAfter is null ? 0 : FirstAfter(items, startAfter, s => Key(s.Namespace, s.Name));
        int count = Math.Min(pageSize, items.Count - start);
        var metadata = new JsonObject { ["resourceVersion"] = snapshotRv.ToString(CultureInfo.InvariantCulture) };
        if (items.Count - start - count > 0)
        {
            SecretObject last = items[start + count - 1];
            metadata["continue"] = EncodeContinue(snapshotRv, Key(last.Namespace, last.Name));
            metadata["remainingItemCount"] = items.Count - start - count;
        }

        var body = new StringBuilder("{\"apiVersion\":\"v1\",\"kind\":\"SecretList\",\"metadata\":").Append(metadata.ToJsonString()).Append(",\"items\":[");
        body.AppendJoin(',', items.Skip(start).Take(count).Select(s => s.Json)).Append("]}");
        return WriteRawJsonAsync(context, 200, body.ToString());
    }

    /// <summary>The Secrets as they were at <paramref name="rv"/>, in key order.</summary>
    private IEnumerable<SecretObject> SecretSnapshotLocked(long rv)
    {
        var state = new SortedDictionary<string, SecretObject>(_secrets, StringComparer.Ordinal);
        for (int i = _secretEvents.Count - 1; i >= 0 && _secretEvents[i].ResourceVersion > rv; i--)
        {
            SecretEvent e = _secretEvents[i];
            string key = e.Previous is { } p ? Key(p.Namespace, p.Name) : Key(e.Current!.Namespace, e.Current.Name);
            if (e.Previous is null)
            {
                state.Remove(key);
            }
            else
            {
                state[key] = e.Previous;
            }
        }

        return state.Values;
    }

    /// <summary>A Secret as stored: its labels (for selectors) and its JSON as served.</summary>
    private sealed record SecretObject(string Namespace, string Name, IReadOnlyDictionary<string, string> Labels, string Json);

    /// <summary>One write: the state after it (null: deleted) and before it (null: created).</summary>
    private sealed record SecretEvent(long ResourceVersion, SecretObject? Current, SecretObject? Previous);
}
