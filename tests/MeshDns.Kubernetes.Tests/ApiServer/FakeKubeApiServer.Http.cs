using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MeshDns.Kubernetes.Tests.ApiServer;

public sealed partial class FakeKubeApiServer
{
    private async Task HandleAsync(HttpContext context)
    {
        Route route = Route.Parse(context.Request.Path.Value ?? "/");
        bool isGet = HttpMethods.IsGet(context.Request.Method);
        FakeRequestKind kind = !isGet ? FakeRequestKind.Other : route.Kind switch
        {
            RouteKind.Collection or RouteKind.Secrets => IsTrue(context.Request.Query["watch"]) ? FakeRequestKind.Watch : FakeRequestKind.List,
            RouteKind.Item => FakeRequestKind.Get,
            RouteKind.NotFound => FakeRequestKind.Other,
            _ => FakeRequestKind.Discovery,
        };
        if (kind == FakeRequestKind.List)
        {
            Interlocked.Increment(ref _listRequests);
        }
        else if (kind == FakeRequestKind.Watch)
        {
            Interlocked.Increment(ref _watchRequests);
        }

        var logged = new StrongBox<bool>();
        try
        {
            if (TryTakeFailure(kind, out int failure))
            {
                await WriteFailureAsync(context, failure).ConfigureAwait(false);
                return;
            }

            if (_options.Token is { } token && !IsAuthorized(context.Request.Headers.Authorization, token))
            {
                await WriteStatusAsync(context, 401, "Unauthorized", "Unauthorized").ConfigureAwait(false);
                return;
            }

            if (!isGet)
            {
                await WriteStatusAsync(context, 405, "MethodNotAllowed", $"the fake API server only serves GET; write through {nameof(FakeKubeApiServer)}.{nameof(Create)}/{nameof(Update)}/{nameof(Delete)}").ConfigureAwait(false);
                return;
            }

            await DispatchAsync(context, route, kind, logged).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            if (!logged.Value)
            {
                Log(context, kind, context.Response.StatusCode);
            }
        }
    }

    private Task DispatchAsync(HttpContext context, Route route, FakeRequestKind kind, StrongBox<bool> logged)
    {
        string[] served;
        lock (_gate)
        {
            served = _servedVersions;
        }

        switch (route.Kind)
        {
            case RouteKind.Root:
                return WriteJsonAsync(context, 200, RootPaths(served));
            case RouteKind.Health:
                context.Response.ContentType = "text/plain; charset=utf-8";
                return context.Response.WriteAsync("ok", context.RequestAborted);
            case RouteKind.Version:
                return WriteJsonAsync(context, 200, new JsonObject
                {
                    ["major"] = "1",
                    ["minor"] = "33",
                    ["gitVersion"] = "v1.33.0-fake",
                    ["platform"] = "linux/amd64",
                });
            case RouteKind.CoreApi:
                return WriteJsonAsync(context, 200, new JsonObject
                {
                    ["kind"] = "APIVersions",
                    ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = BaseUri.Authority }),
                });
            case RouteKind.GroupList:
                return WriteJsonAsync(context, 200, new JsonObject
                {
                    ["kind"] = "APIGroupList",
                    ["apiVersion"] = "v1",
                    ["groups"] = served.Length == 0 ? new JsonArray() : new JsonArray(ApiGroup(served, withTypeMeta: false)),
                });
            case RouteKind.Group when served.Length > 0:
                return WriteJsonAsync(context, 200, ApiGroup(served, withTypeMeta: true));
            case RouteKind.GroupVersion when served.Contains(route.Version):
                return WriteJsonAsync(context, 200, ResourceList(route.Version!));
            case RouteKind.Collection when served.Contains(route.Version):
                return kind == FakeRequestKind.Watch
                    ? WatchAsync(context, route.Version!, route.Namespace, logged)
                    : ListAsync(context, route.Version!, route.Namespace);
            case RouteKind.Secrets when _secretsForbidden:
                return WriteStatusAsync(context, 403, "Forbidden", $"secrets is forbidden: User cannot list resource \"secrets\" in API group \"\" in the namespace \"{route.Namespace}\"", new JsonObject { ["kind"] = "secrets" });
            case RouteKind.Secrets:
                return kind == FakeRequestKind.Watch ? SecretWatchAsync(context, route.Namespace!, logged) : SecretListAsync(context, route.Namespace!);
            case RouteKind.Item when served.Contains(route.Version):
                return GetAsync(context, route.Version!, route.Namespace!, route.Name!);
            default:
                return WriteStatusAsync(context, 404, "NotFound", "the server could not find the requested resource", new JsonObject());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // LIST and GET
    // ------------------------------------------------------------------------------------------------

    private Task ListAsync(HttpContext context, string version, string? ns)
    {
        IQueryCollection query = context.Request.Query;
        string continueToken = query["continue"].ToString();
        string rvParam = query["resourceVersion"].ToString();
        string rvMatch = query["resourceVersionMatch"].ToString();

        int pageSize = int.MaxValue;
        if (query.TryGetValue("limit", out StringValues limitValue) && limitValue.ToString().Length > 0)
        {
            if (!long.TryParse(limitValue.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long limit))
            {
                return WriteStatusAsync(context, 400, "BadRequest", $"invalid limit: {limitValue}");
            }

            if (limit > 0)
            {
                pageSize = (int)Math.Min(limit, int.MaxValue);
            }
        }

        long? requestedRv = null;
        if (rvParam.Length > 0)
        {
            if (!long.TryParse(rvParam, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
            {
                return WriteStatusAsync(context, 400, "BadRequest", $"invalid resource version: {rvParam}");
            }

            requestedRv = parsed;
        }

        if (rvMatch.Length > 0 && rvMatch is not ("Exact" or "NotOlderThan"))
        {
            return WriteStatusAsync(context, 400, "BadRequest", $"unsupported resourceVersionMatch: {rvMatch}");
        }

        string? startAfter = null;
        long snapshotRv;
        List<StoredObject> items;
        lock (_gate)
        {
            if (continueToken.Length > 0)
            {
                if (requestedRv is > 0)
                {
                    return WriteStatusAsync(context, 400, "BadRequest", "specifying resource version is not allowed when using continue");
                }

                if (!TryDecodeContinue(continueToken, out snapshotRv, out startAfter) || snapshotRv > _resourceVersion)
                {
                    return WriteStatusAsync(context, 400, "BadRequest", "continue key is not valid");
                }

                if (snapshotRv < _compactedResourceVersion)
                {
                    return WriteStatusAsync(context, 410, "Expired",
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
                }
            }
            else if (requestedRv is > 0 && rvMatch == "Exact")
            {
                snapshotRv = requestedRv.Value;
                if (snapshotRv < _compactedResourceVersion)
                {
                    return WriteStatusAsync(context, 410, "Expired", $"too old resource version: {snapshotRv} ({_compactedResourceVersion})");
                }
            }
            else
            {
                // "", "0" and NotOlderThan: the latest state (as a consistent read from etcd would give).
                snapshotRv = _resourceVersion;
            }

            if (snapshotRv > _resourceVersion || requestedRv > _resourceVersion)
            {
                return WriteStatusAsync(context, 504, "Timeout",
                    $"Too large resource version: {requestedRv}, current: {_resourceVersion}",
                    new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" }), ["retryAfterSeconds"] = 1 });
            }

            items = SnapshotLocked(snapshotRv, ns);
        }

        int start = startAfter is null ? 0 : FirstAfter(items, startAfter, o => Key(o.Namespace, o.Name));

        int count = Math.Min(pageSize, items.Count - start);
        int remaining = items.Count - start - count;

        var metadata = new JsonObject { ["resourceVersion"] = snapshotRv.ToString(CultureInfo.InvariantCulture) };
        if (remaining > 0)
        {
            StoredObject last = items[start + count - 1];
            metadata["continue"] = EncodeContinue(snapshotRv, Key(last.Namespace, last.Name));
            metadata["remainingItemCount"] = remaining;
        }

        var body = new StringBuilder();
        body.Append("{\"apiVersion\":\"").Append(Group).Append('/').Append(version)
            .Append("\",\"kind\":\"").Append(ListKind).Append("\",\"metadata\":").Append(metadata.ToJsonString())
            .Append(",\"items\":[");
        for (int i = start; i < start + count; i++)
        {
            if (i > start)
            {
                body.Append(',');
            }

            body.Append(Serve(items[i].Json, version));
        }

        body.Append("]}");
        return WriteRawJsonAsync(context, 200, body.ToString());
    }

    private Task GetAsync(HttpContext context, string version, string ns, string name)
    {
        string? json;
        lock (_gate)
        {
            json = _objects.TryGetValue(Key(ns, name), out StoredObject? stored) ? Serve(stored.Json, version) : null;
        }

        return json is not null
            ? WriteRawJsonAsync(context, 200, json)
            : WriteStatusAsync(context, 404, "NotFound", $"{Resource}.{Group} \"{name}\" not found",
                new JsonObject { ["name"] = name, ["group"] = Group, ["kind"] = Resource });
    }

    // ------------------------------------------------------------------------------------------------
    // Discovery documents
    // ------------------------------------------------------------------------------------------------

    private static JsonObject ApiGroup(string[] served, bool withTypeMeta)
    {
        var versions = new JsonArray();
        foreach (string v in served)
        {
            versions.Add(new JsonObject { ["groupVersion"] = Group + "/" + v, ["version"] = v });
        }

        var group = new JsonObject();
        if (withTypeMeta)
        {
            group["kind"] = "APIGroup";
            group["apiVersion"] = "v1";
        }

        group["name"] = Group;
        group["versions"] = versions;
        group["preferredVersion"] = new JsonObject { ["groupVersion"] = Group + "/" + served[0], ["version"] = served[0] };
        return group;
    }

    private static JsonObject ResourceList(string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = Group + "/" + version,
        ["resources"] = new JsonArray(
            new JsonObject
            {
                ["name"] = Resource,
                ["singularName"] = "serviceentry",
                ["namespaced"] = true,
                ["kind"] = Kind,
                ["verbs"] = new JsonArray("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"),
                ["shortNames"] = new JsonArray("se"),
                ["categories"] = new JsonArray("istio-io", "networking-istio-io"),
            },
            new JsonObject
            {
                ["name"] = Resource + "/status",
                ["singularName"] = "",
                ["namespaced"] = true,
                ["kind"] = Kind,
                ["verbs"] = new JsonArray("get", "patch", "update"),
            }),
    };

    private static JsonObject RootPaths(string[] served)
    {
        var paths = new JsonArray("/api", "/api/v1", "/apis", "/apis/");
        if (served.Length > 0)
        {
            paths.Add("/apis/" + Group);
        }

        foreach (string v in served)
        {
            paths.Add("/apis/" + Group + "/" + v);
        }

        paths.Add("/healthz");
        paths.Add("/livez");
        paths.Add("/readyz");
        paths.Add("/version");
        return new JsonObject { ["paths"] = paths };
    }

    // ------------------------------------------------------------------------------------------------
    // Responses
    // ------------------------------------------------------------------------------------------------

    /// <summary>A metav1.Status object, as the API server sends on failures.</summary>
    internal static JsonObject Status(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
        };
        if (reason.Length > 0)
        {
            status["reason"] = reason;
        }

        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message, JsonObject? details = null) =>
        WriteJsonAsync(context, code, Status(code, reason, message, details));

    private static Task WriteFailureAsync(HttpContext context, int code)
    {
        (string reason, string message) = code switch
        {
            400 => ("BadRequest", "injected fault: bad request"),
            401 => ("Unauthorized", "Unauthorized"),
            403 => ("Forbidden", "injected fault: forbidden"),
            404 => ("NotFound", "the server could not find the requested resource"),
            405 => ("MethodNotAllowed", "injected fault: method not allowed"),
            409 => ("Conflict", "injected fault: conflict"),
            410 => ("Expired", "injected fault: too old resource version"),
            422 => ("Invalid", "injected fault: invalid"),
            429 => ("TooManyRequests", "injected fault: too many requests, please try again later"),
            500 => ("InternalError", "Internal error occurred: injected fault"),
            503 => ("ServiceUnavailable", "injected fault: the server is currently unable to handle the request"),
            504 => ("Timeout", "injected fault: the server was unable to return a response in the time allotted"),
            _ => ("", $"injected fault: HTTP {code}"),
        };
        JsonObject? details = null;
        if (code is 429 or 503 or 504)
        {
            context.Response.Headers.RetryAfter = "1";
            details = new JsonObject { ["retryAfterSeconds"] = 1 };
        }

        return WriteStatusAsync(context, code, reason, message, details);
    }

    private static Task WriteJsonAsync(HttpContext context, int code, JsonObject body) =>
        WriteRawJsonAsync(context, code, body.ToJsonString());

    private static Task WriteRawJsonAsync(HttpContext context, int code, string json)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static bool IsAuthorized(StringValues header, string token)
    {
        string value = header.ToString();
        const string Scheme = "Bearer ";
        return value.Length > Scheme.Length
            && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(value[Scheme.Length..].Trim(), token, StringComparison.Ordinal);
    }

    /// <summary>Go's strconv.ParseBool truths, which the API server accepts for watch and allowWatchBookmarks.</summary>
    private static bool IsTrue(StringValues value) => value.ToString() is "1" or "t" or "T" or "true" or "TRUE" or "True";

    private enum RouteKind
    {
        NotFound,
        Root,
        Health,
        Version,
        CoreApi,
        GroupList,
        Group,
        GroupVersion,
        Collection,
        Item,
        Secrets,
    }

    private readonly record struct Route(RouteKind Kind, string? Version = null, string? Namespace = null, string? Name = null)
    {
        public static Route Parse(string path)
        {
            string[] s = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            return s switch
            {
                [] => new(RouteKind.Root),
                ["healthz" or "livez" or "readyz"] => new(RouteKind.Health),
                ["version"] => new(RouteKind.Version),
                ["api"] => new(RouteKind.CoreApi),
                ["apis"] => new(RouteKind.GroupList),
                ["apis", Group] => new(RouteKind.Group),
                ["apis", Group, var v] => new(RouteKind.GroupVersion, v),
                ["apis", Group, var v, Resource] => new(RouteKind.Collection, v),
                ["apis", Group, var v, "namespaces", var ns, Resource] => new(RouteKind.Collection, v, ns),
                ["apis", Group, var v, "namespaces", var ns, Resource, var name] => new(RouteKind.Item, v, ns, name),
                ["api", "v1", "namespaces", var ns, "secrets"] => new(RouteKind.Secrets, "v1", ns),
                _ => new(RouteKind.NotFound),
            };
        }
    }

    private sealed class StrongBox<T>
    {
        public T? Value { get; set; }
    }
}
