using System.Text.Json.Serialization;

namespace MeshDns.Models.Json;

/// <summary>System.Text.Json metadata (NativeAOT safe) of the generated ServiceEntry models; names matched exactly, as Kubernetes
/// writes them. It lives apart from the models: the JSON generator cannot see types another generator adds.
/// Metadata only: meshdns reads ServiceEntries and never writes them, so the serialization fast path is left out
/// (writing still works, through the metadata).</summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    PropertyNameCaseInsensitive = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ServiceEntry))]
[JsonSerializable(typeof(ServiceEntryList))]
public sealed partial class ServiceEntryJsonContext : JsonSerializerContext
{
}
