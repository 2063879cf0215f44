using YamlDotNet.RepresentationModel;

namespace MeshDns.Chart.Tests;

/// <summary>The documents of a helm template output, with lookups by kind and path.</summary>
internal sealed class Manifests
{
    private Manifests(IReadOnlyList<YamlMappingNode> documents) => Documents = documents;

    public IReadOnlyList<YamlMappingNode> Documents { get; }

    public static Manifests Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var documents = new List<YamlMappingNode>();
        foreach (YamlDocument document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlMappingNode map:
                    documents.Add(map);
                    break;
                case YamlScalarNode { Value: null or "" }:
                    break; // an empty document (a template that rendered nothing)
                default:
                    Assert.Fail("a rendered document is not a mapping: " + document.RootNode);
                    break;
            }
        }

        return new Manifests(documents);
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Documents.Where(d => d.Str("kind") == kind);

    public YamlMappingNode Single(string kind)
    {
        YamlMappingNode[] found = OfKind(kind).ToArray();
        Assert.True(found.Length == 1, $"expected one {kind}, found {found.Length}");
        return found[0];
    }

    public YamlMappingNode Deployment => Single("Deployment");

    public YamlMappingNode PodSpec => Deployment.Map("spec", "template", "spec");

    public IReadOnlyList<YamlMappingNode> Containers => PodSpec.Seq("containers").Cast<YamlMappingNode>().ToArray();

    /// <summary>The pod's init containers (native sidecars among them); empty when there are none.</summary>
    public IReadOnlyList<YamlMappingNode> InitContainers =>
        PodSpec.Opt("initContainers") is YamlSequenceNode list ? list.Cast<YamlMappingNode>().ToArray() : [];

    public YamlMappingNode Container(string name)
    {
        YamlMappingNode? found = Containers.SingleOrDefault(c => c.Str("name") == name);
        Assert.True(found is not null, $"no container {name}; containers: {string.Join(", ", Containers.Select(c => c.Str("name")))}");
        return found;
    }

    public IReadOnlyList<string> Args(string container) => Container(container).Strings("args");

    /// <summary>The Corefile of the CoreDNS ConfigMap, parsed.</summary>
    public Corefile Corefile
    {
        get
        {
            YamlMappingNode configMap = Single("ConfigMap");
            string? text = configMap.Str("data", "Corefile");
            Assert.False(string.IsNullOrWhiteSpace(text), "the ConfigMap has no data.Corefile");
            return Corefile.Parse(text);
        }
    }
}

/// <summary>Path lookups on YAML nodes; a missing key gives null (Opt*) or fails the test.</summary>
internal static class YamlPath
{
    public static YamlNode? Opt(this YamlNode node, params string[] path)
    {
        YamlNode? current = node;
        foreach (string key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    public static bool Has(this YamlNode node, params string[] path) => node.Opt(path) is not null;

    public static string? Str(this YamlNode node, params string[] path) => (node.Opt(path) as YamlScalarNode)?.Value;

    public static YamlMappingNode Map(this YamlNode node, params string[] path) =>
        node.Opt(path) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"no mapping at {string.Join('.', path)}");

    public static YamlSequenceNode Seq(this YamlNode node, params string[] path) =>
        node.Opt(path) as YamlSequenceNode ?? throw new Xunit.Sdk.XunitException($"no sequence at {string.Join('.', path)}");

    public static IReadOnlyList<string> Strings(this YamlNode node, params string[] path) =>
        node.Seq(path).Select(n => ((YamlScalarNode)n).Value ?? "").ToArray();

    /// <summary>The string entries of a mapping (labels, annotations, nodeSelector).</summary>
    public static IReadOnlyDictionary<string, string> StringMap(this YamlNode node, params string[] path) =>
        node.Opt(path) is YamlMappingNode map
            ? map.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>();
}
