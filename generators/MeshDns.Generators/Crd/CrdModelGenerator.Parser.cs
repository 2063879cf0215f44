using System.Text.RegularExpressions;
using MeshDns.Generators.Crd.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MeshDns.Generators.Crd;

public sealed partial class CrdModelGenerator
{
    /// <summary>Reads one <c>*.crd.yaml</c> file into models of its storage-version schemas, or into diagnostics.</summary>
    internal static class Parser
    {
        public static CrdFileResult Parse(string path, string? text, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var crds = new List<CrdModel>();
            try
            {
                // Load reads every document first; an empty one (e.g. after a final '---') has a null root.
                foreach (YamlDocument document in CrdYaml.Load(text ?? throw new YamlException("the file cannot be read")).Where(d => !d.RootNode.IsNull()))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (new CrdReader(path, document.RootNode, diagnostics, cancellationToken).Read() is { } model)
                    {
                        crds.Add(model);
                    }
                }
            }
            catch (YamlException e)
            {
                diagnostics.Add(CrdYaml.At(CrdDiagnostics.InvalidYaml, path, e.Start, e.End, e.Message));
            }

            return new CrdFileResult(path, new(crds), new(diagnostics));
        }

        /// <summary>A property name made PascalCase: first letter and letters after '-', '_', '.' or ' ' upper-cased, separators dropped.</summary>
        internal static string PascalCase(string name) =>
            string.Concat(name.Split('-', '_', '.', ' ').Select(word => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word.Substring(1)));

        /// <summary>Words of letters and digits; an all-capitals word is title-cased (DNS_ROUND_ROBIN → DnsRoundRobin).</summary>
        internal static string EnumConstantName(string value) =>
            string.Concat(Regex.Matches(value, @"[\p{L}\p{Nd}]+").Cast<Match>().Select(word =>
                char.ToUpperInvariant(word.Value[0]) + (word.Value.Any(char.IsLower) ? word.Value.Substring(1) : word.Value.Substring(1).ToLowerInvariant())));

        internal static bool IsIdentifier(string name) =>
            name.Length > 0 && name[0] != '@' && SyntaxFacts.IsValidIdentifier(name);
    }
}
