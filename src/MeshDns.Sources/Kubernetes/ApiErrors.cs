using MeshDns.Models;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using MeshDns.Models.Json;

namespace MeshDns.Sources.Kubernetes;

/// <summary>A failed API request in plain words, naming the server and what to check.</summary>
public static class ApiErrors
{
    /// <summary>What went wrong talking to <paramref name="server"/>, and where to look.</summary>
    /// <param name="resource">What was being read, named in the RBAC hint; ServiceEntries when null.</param>
    public static string Describe(Exception e, Uri server, string? resource = null) => e switch
    {
        KubernetesApiException api => Status(api, resource ?? ServiceEntryCrd.Name),
        HttpRequestException http => Request(http, server),
        TimeoutException => e.Message, // written by MeshDns
        OperationCanceledException => $"{server.Authority} did not answer in time",
        JsonException json => $"the answer is not JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}): is {server} the Kubernetes API server?",
        InvalidDataException { InnerException: JsonException } => "a watch event is not JSON: is the server a Kubernetes API server?",
        InvalidDataException => e.Message, // written by MeshDns
        IOException or SocketException => $"the connection to {server.Authority} broke",
        _ => $"unexpected {e.GetType().Name}",
    };

    private static string Status(KubernetesApiException e, string resource) => e.Status switch
    {
        HttpStatusCode.Unauthorized =>
            $"the API server rejected the credentials ({e.Message}): check the kubeconfig user's token or client certificate",
        HttpStatusCode.Forbidden =>
            $"the service account lacks get/list/watch on {resource}; see RBAC ({e.Message})",
        HttpStatusCode.NotFound when e.Message.Contains("CRDs installed", StringComparison.Ordinal) => e.Message,
        HttpStatusCode.NotFound => $"{e.Message}: are Istio's CRDs installed?",
        _ => e.Message,
    };

    private static string Request(HttpRequestException e, Uri server)
    {
        SocketError? socket = Inner<SocketException>(e)?.SocketErrorCode;
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"cannot resolve {server.Host}: check the server URL of the kubeconfig and DNS",
            HttpRequestError.SecureConnectionError => Inner<AuthenticationException>(e) is null && socket is not null
                ? $"the TLS connection to {server.Authority} broke"
                : $"TLS with {server.Authority} failed: its certificate is not signed by the kubeconfig's certificate-authority, does not name {server.Host}, or the server does not speak TLS",
            HttpRequestError.InvalidResponse => $"{server.Authority} did not answer HTTP as expected: does it speak {(server.Scheme == "https" ? "plain http" : "https")} instead of {server.Scheme}?",
            HttpRequestError.ResponseEnded => $"{server.Authority} closed the connection before answering",
            _ => socket switch
            {
                SocketError.ConnectionRefused => $"connection refused by {server.Authority}: nothing listens there (is the API server or kubectl proxy running?)",
                SocketError.HostUnreachable or SocketError.NetworkUnreachable => $"{server.Host} is unreachable",
                SocketError.TimedOut => $"connecting to {server.Authority} timed out",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => $"cannot resolve {server.Host}: check the server URL of the kubeconfig and DNS",
                SocketError.ConnectionReset => $"{server.Authority} reset the connection",
                _ => $"cannot reach {server.Authority}",
            },
        };
    }

    private static T? Inner<T>(Exception? e)
        where T : Exception => e switch
    {
        null => null,
        T found => found,
        _ => Inner<T>(e.InnerException),
    };
}
