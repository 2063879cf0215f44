using MeshDns.Wire;

namespace MeshDns.Table;

/// <summary>Validation and normalisation of ServiceEntry host strings.</summary>
public static class HostNames
{
    /// <summary>
    /// Normalises a host: lower case, no trailing dot. Accepts <c>name</c> or <c>*.name</c> whose labels
    /// are 1..63 characters of letters, digits, '-' and '_' (not starting or ending with '-'), within 255
    /// octets in wire form. Returns null when the host is not a name MeshDns can serve.
    /// </summary>
    public static string? Normalize(string? host, out bool isWildcard)
    {
        isWildcard = false;
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        string text = host.Trim().ToLowerInvariant();
        if (text.EndsWith('.'))
        {
            text = text[..^1];
        }

        string body = text;
        if (text.StartsWith("*.", StringComparison.Ordinal))
        {
            isWildcard = true;
            body = text[2..];
        }

        if (body.Length == 0 || body.Length > 253)
        {
            return null;
        }

        foreach (string label in body.Split('.'))
        {
            if (!IsValidLabel(label))
            {
                return null;
            }
        }

        return text;
    }

    private static bool IsValidLabel(string label)
    {
        if (label.Length is 0 or > DnsName.MaxLabelLength || label[0] == '-' || label[^1] == '-')
        {
            return false;
        }

        foreach (char c in label)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
