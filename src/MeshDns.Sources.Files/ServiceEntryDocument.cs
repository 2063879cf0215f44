using YamlDotNet.Serialization;

namespace MeshDns.Sources.Files;

// The fields of a networking.istio.io ServiceEntry that MeshDns reads (the same in v1alpha3, v1beta1 and
// v1). Property names map to camelCase keys; unknown keys are ignored. ServiceEntryShape checks a node
// against the same fields before it is deserialized into these classes, so keep the two in step.

/// <summary>One ServiceEntry object.</summary>
internal sealed class ServiceEntryDocument
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public ObjectMetadata? Metadata { get; set; }

    public ServiceEntrySpec? Spec { get; set; }

    public ServiceEntryStatus? Status { get; set; }
}

/// <summary>metadata.</summary>
internal sealed class ObjectMetadata
{
    public string? Name { get; set; }

    public string? Namespace { get; set; }

    public string? CreationTimestamp { get; set; }
}

/// <summary>spec.</summary>
internal sealed class ServiceEntrySpec
{
    public List<string>? Hosts { get; set; }

    public List<string>? Addresses { get; set; }

    public List<ServicePort>? Ports { get; set; }

    public string? Location { get; set; }

    public string? Resolution { get; set; }

    public List<WorkloadEntry>? Endpoints { get; set; }

    public List<string>? ExportTo { get; set; }
}

/// <summary>spec.ports[].</summary>
internal sealed class ServicePort
{
    public uint Number { get; set; }

    public string? Protocol { get; set; }

    public string? Name { get; set; }

    public uint TargetPort { get; set; }
}

/// <summary>spec.endpoints[].</summary>
internal sealed class WorkloadEntry
{
    public string? Address { get; set; }

    public Dictionary<string, uint>? Ports { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public string? Network { get; set; }

    public string? Locality { get; set; }

    public uint Weight { get; set; }
}

/// <summary>status.</summary>
internal sealed class ServiceEntryStatus
{
    public List<ServiceEntryAddress>? Addresses { get; set; }
}

/// <summary>status.addresses[].</summary>
internal sealed class ServiceEntryAddress
{
    public string? Value { get; set; }

    public string? Host { get; set; }
}

/// <summary>
/// Reflection-free (trimming and NativeAOT safe) type information for the classes above, generated at
/// build time by Vecc.YamlDotNet.Analyzers.StaticGenerator.
/// </summary>
[YamlStaticContext]
[YamlSerializable(typeof(ServiceEntryDocument))]
[YamlSerializable(typeof(ObjectMetadata))]
[YamlSerializable(typeof(ServiceEntrySpec))]
[YamlSerializable(typeof(ServicePort))]
[YamlSerializable(typeof(WorkloadEntry))]
[YamlSerializable(typeof(ServiceEntryStatus))]
[YamlSerializable(typeof(ServiceEntryAddress))]
public partial class ServiceEntryYamlContext : StaticContext
{
}
