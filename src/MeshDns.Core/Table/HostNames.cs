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

        string text = host.Trim().ToLowerInvariant();
        text = text.EndsWith('.') ? text[..^1] : text;

        string body = text.StartsWith("*.", StringComparison.Ordinal) ? text[2..] : text;
        return body.Length is > 0 and <= 253 && body.Split('.').All(IsValidLabel) ? text : null;
    }

    private static bool IsValidLabel(string label) =>
        label.Length is > 0 and <= DnsName.MaxLabelLength && label[0] != '-' && label[^1] != '-'
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
