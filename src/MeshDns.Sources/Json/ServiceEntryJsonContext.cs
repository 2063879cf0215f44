using System.Text.Json.Serialization;

namespace MeshDns.Models.Json;

/// <summary>
/// Reflection-free (trimming and NativeAOT safe) System.Text.Json metadata for the ServiceEntry models generated
/// from <c>serviceentries.crd.yaml</c>. Names are matched exactly (as Kubernetes writes them), unknown fields are
/// ignored, nulls are not written.
/// </summary>
/// <remarks>
/// It lives apart from the models because the System.Text.Json generator cannot see types that another source
/// generator adds to the same compilation. To read wrapper types of your own (a watch event, say) chain it:
/// <c>options.TypeInfoResolverChain.Add(ServiceEntryJsonContext.Default)</c>.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ServiceEntry))]
[JsonSerializable(typeof(ServiceEntryList))]
public sealed partial class ServiceEntryJsonContext : JsonSerializerContext
{
}
