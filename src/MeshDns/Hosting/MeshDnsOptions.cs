namespace MeshDns.Hosting;

/// <summary>Bound from the <c>MeshDns</c> configuration section, which the command line fills.</summary>
public sealed class MeshDnsOptions
{
    public List<string> FromFile { get; set; } = [];
    public long MaxFileSize { get; set; } = MeshDns.Sources.Files.FileSource.DefaultMaxFileSize;
    /// <summary>PATH or NAME=PATH each; the first is the local cluster.</summary>
    public List<string> Kubeconfig { get; set; } = [];
    public string? RemoteSecrets { get; set; }
    public TimeSpan RemoteSyncTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public string? Context { get; set; }
    public List<string> Namespace { get; set; } = [];
    public string? DefaultAddress { get; set; }
    public List<string> Zone { get; set; } = [];
    public uint Ttl { get; set; } = 30;
    public uint NegativeTtl { get; set; } = 30;
    public string? SoaMname { get; set; }
    public string? SoaRname { get; set; }
    public bool RoundRobin { get; set; } = true;
    public string DnsListen { get; set; } = ":1053";
    public string HttpListen { get; set; } = ":8090";
    public string GrpcListen { get; set; } = ":8053";
    public bool DebugNames { get; set; } = true;
    public TimeSpan Lameduck { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan TcpQueryTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public int TcpMaxConnections { get; set; } = 1024;
    public string LogLevel { get; set; } = "info";
    public string LogFormat { get; set; } = "text";
}
