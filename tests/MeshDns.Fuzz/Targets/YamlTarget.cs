using System.Text;
using MeshDns.Sources.Files;
using MeshDns.Table;
using static MeshDns.Fuzz.PropertyException;

namespace MeshDns.Fuzz;

/// <summary>
/// A file's octets through the file source's whole YAML path (decoded as the file source decodes them, then
/// <see cref="ServiceEntryYaml.Parse(string, string)"/>: YamlDotNet, the bounded event reader, the checks). It never
/// throws; a syntax error is one line naming the file and yields nothing; every warning is one line; every entry
/// passes the checks, and the table builds from them.
/// </summary>
internal static class YamlTarget
{
    private const string FileName = "fuzz.yaml";

    public static void Run(byte[] input)
    {
        using var reader = new StreamReader(new MemoryStream(input), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        FileParseResult result = ServiceEntryYaml.Parse(reader.ReadToEnd(), FileName);
        if (result.Error is { } error)
        {
            Require(error.StartsWith(FileName + ":", StringComparison.Ordinal) && OneLine(error), $"syntax error not one line naming the file: {error}");
            Require(result.Entries.Count == 0 && result.Warnings.Count == 0, "entries or warnings next to a syntax error");
            return;
        }

        foreach (string warning in result.Warnings)
        {
            Require(warning.StartsWith(FileName + ":", StringComparison.Ordinal) && OneLine(warning), $"warning not one line naming the file: {warning}");
        }

        foreach (ServiceEntryInput entry in result.Entries)
        {
            EntryCheck.Valid(entry);
        }

        Require(result.Entries.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count() == result.Entries.Count, "an id twice among the entries");
        NameTableBuilder.Build(result.Entries, new TableOptions(), 0);
    }

    private static bool OneLine(string text) => !text.Contains('\n', StringComparison.Ordinal);
}
