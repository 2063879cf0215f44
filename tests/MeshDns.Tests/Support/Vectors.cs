namespace MeshDns.Tests.Support;

/// <summary>Query/response pairs captured from Knot DNS (see Vectors/README.md).</summary>
public static class Vectors
{
    public sealed record Vector(string Name, byte[] Query, byte[] Response);

    public static IReadOnlyList<Vector> All { get; } = Load();

    public static Vector Get(string name) => All.Single(v => v.Name == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (Vector v in All)
        {
            data.Add(v.Name);
        }

        return data;
    }

    private static List<Vector> Load()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Vectors");
        var vectors = new List<Vector>();
        foreach (string file in Directory.GetFiles(folder, "*.hex").Order(StringComparer.Ordinal))
        {
            byte[]? query = null, response = null;
            foreach (string line in File.ReadLines(file))
            {
                if (line.StartsWith("query ", StringComparison.Ordinal))
                {
                    query = Convert.FromHexString(line[6..].Trim());
                }
                else if (line.StartsWith("response ", StringComparison.Ordinal))
                {
                    response = Convert.FromHexString(line[9..].Trim());
                }
            }

            vectors.Add(new Vector(Path.GetFileNameWithoutExtension(file), query ?? throw new InvalidDataException(file), response ?? throw new InvalidDataException(file)));
        }

        if (vectors.Count < 20)
        {
            throw new InvalidDataException($"expected the captured vectors in {folder}, found {vectors.Count}");
        }

        return vectors;
    }
}
