namespace MeshDns.Generators.WireFormat.Model;

/// <summary>One declared DNS message part: a partial struct whose fields are read and written in order.</summary>
public sealed record WirePartModel(
    string? Namespace,
    string TypeName,
    bool IsRefStruct,
    EquatableArray<WireFieldModel> Fields,
    EquatableArray<WireBitsModel> Bits)
{
    /// <summary>The fixed wire size in octets, or null when a field has a variable size.</summary>
    public int? FixedSize => Fields.All(f => f.FixedSize is not null) ? Fields.Sum(f => f.FixedSize!.Value) : null;
}

public sealed record WireFieldModel(string Name, WireFieldKind Kind)
{
    public int? FixedSize => Kind switch
    {
        WireFieldKind.U8 => 1,
        WireFieldKind.U16 => 2,
        WireFieldKind.U32 => 4,
        WireFieldKind.IPv4 => 4,
        WireFieldKind.IPv6 => 16,
        _ => null,
    };
}

/// <summary>A partial property that views a bit range of an integer field (e.g. the header's flags).</summary>
public sealed record WireBitsModel(
    string PropertyName,
    string PropertyType,
    string Accessibility,
    string FieldName,
    string FieldType,
    int Shift,
    int Width);

public sealed record WirePartResult(WirePartModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
