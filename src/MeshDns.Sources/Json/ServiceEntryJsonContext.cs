using System.Text.Json.Serialization;

namespace MeshDns.Models.Json;

/// <summary>System.Text.Json metadata (NativeAOT safe) of the generated ServiceEntry models; names matched exactly, as Kubernetes
/// writes them. It lives apart from the models: the JSON generator cannot see types another generator adds.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ServiceEntry))]
[JsonSerializable(typeof(ServiceEntryList))]
public sealed partial class ServiceEntryJsonContext : JsonSerializerContext
{
}
