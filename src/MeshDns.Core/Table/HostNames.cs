using MeshDns.Wire;

namespace MeshDns.Table;

public static class HostNames
{
    /// <summary>Lower case, no trailing dot; <c>name</c> or <c>*.name</c> with labels of 1..63 letters, digits, '-' and
    /// '_' (no '-' at either end), within 255 wire octets. Null when MeshDns cannot serve it.</summary>
    public static string? Normalize(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        // Most hosts are written trimmed and in lower case already: then the given string is kept, not copied.
        ReadOnlySpan<char> trimmed = host.AsSpan().Trim();
        string text = trimmed.Length == host.Length && !trimmed.ContainsAnyExcept(Lower) ? host : trimmed.ToString().ToLowerInvariant();
        ReadOnlySpan<char> name = text.EndsWith('.') ? text.AsSpan()[..^1] : text;
        ReadOnlySpan<char> body = name.StartsWith("*.") ? name[2..] : name;
        if (body.Length is 0 or > 253)
        {
            return null;
        }

        foreach (Range label in body.Split('.'))
        {
            if (!IsValidLabel(body[label]))
            {
                return null;
            }
        }

        return name.Length == text.Length ? text : name.ToString();
    }

    private static bool IsValidLabel(ReadOnlySpan<char> label) =>
        label.Length is > 0 and <= DnsName.MaxLabelLength && label[0] != '-' && label[^1] != '-'
        && !label.ContainsAnyExcept(LabelChars);

    private static readonly System.Buffers.SearchValues<char> LabelChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    private static readonly System.Buffers.SearchValues<char> Lower = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-_.*");
}
