using System.Globalization;

namespace MeshDns.Cli;

/// <summary>As Go's time.ParseDuration: decimal numbers each with a unit ("500ms", "1m30s"); a unit is required except for "0".</summary>
public static class GoDuration
{
    public const string Units = "ns, us, ms, s, m or h";

    private static readonly (string Suffix, double Seconds)[] Scale =
        [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)];

    public static TimeSpan? Parse(string text, out string? error)
    {
        error = null;
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        if (text.Length == 0)
        {
            error = $"empty: write a number and a unit ({Units}), such as 5s";
            return null;
        }

        double seconds = 0;
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (!double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
            {
                error = $"not a duration: write a number and a unit ({Units}), such as 5s or 500ms";
                return null;
            }

            int unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.')
            {
                i++;
            }

            string unit = text[unitStart..i];
            (string Suffix, double Seconds) match = Array.Find(Scale, s => s.Suffix == unit);
            if (match.Suffix is null)
            {
                error = unit.Length == 0
                    ? $"missing unit: write {text}s, or use ns, us, ms, m or h"
                    : $"unknown unit \"{unit}\": use {Units}";
                return null;
            }

            seconds += amount * match.Seconds;
        }

        if (seconds >= TimeSpan.MaxValue.TotalSeconds)
        {
            error = "too long";
            return null;
        }

        return TimeSpan.FromSeconds(seconds);
    }
}
