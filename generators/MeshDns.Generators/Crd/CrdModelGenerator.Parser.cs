using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using MeshDns.Generators.Common;
using MeshDns.Generators.Crd.Model;
using Microsoft.CodeAnalysis.CSharp;
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
            if (text is null)
            {
                diagnostics.Add(new DiagnosticInfo(CrdDiagnostics.InvalidYaml, path, default, default, new(new[] { "the file cannot be read" })));
                return Result(path, crds, diagnostics);
            }

            List<YamlDocument> documents;
            try
            {
                documents = CrdYaml.Load(text).ToList();
            }
            catch (YamlException e)
            {
                diagnostics.Add(CrdYaml.At(CrdDiagnostics.InvalidYaml, path, e.Start, e.End, e.Message));
                return Result(path, crds, diagnostics);
            }

            // An empty document (e.g. after a final '---') has a null root.
            foreach (YamlDocument document in documents.Where(d => !d.RootNode.IsNull()))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (new CrdReader(path, document.RootNode, diagnostics, cancellationToken).Read() is { } model)
                {
                    crds.Add(model);
                }
            }

            return Result(path, crds, diagnostics);
        }

        /// <summary>A property name made PascalCase: first letter and letters after '-', '_', '.' or ' ' upper-cased, separators dropped.</summary>
        internal static string PascalCase(string name)
        {
            var text = new StringBuilder(name.Length);
            bool upper = true;
            foreach (char c in name)
            {
                bool separator = c is '-' or '_' or '.' or ' ';
                if (!separator)
                {
                    text.Append(upper ? char.ToUpperInvariant(c) : c);
                }

                upper = separator;
            }

            return text.ToString();
        }

        /// <summary>
        /// A constant name for an enum value: words split at anything but letters and digits; an all-capitals
        /// word is title-cased (DNS_ROUND_ROBIN → DnsRoundRobin), others keep their case after the first letter.
        /// </summary>
        internal static string EnumConstantName(string value)
        {
            var text = new StringBuilder(value.Length);
            foreach (string word in Words(value))
            {
                text.Append(char.ToUpperInvariant(word[0]));
                text.Append(word.Any(char.IsLower) ? word.Substring(1) : word.Substring(1).ToLowerInvariant());
            }

            return text.ToString();
        }

        internal static bool IsIdentifier(string name) =>
            name.Length > 0 && name[0] != '@' && SyntaxFacts.IsValidIdentifier(name);

        private static IEnumerable<string> Words(string value)
        {
            var word = new StringBuilder();
            foreach (char c in value + " ")
            {
                if (char.IsLetterOrDigit(c))
                {
                    word.Append(c);
                }
                else if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }
            }
        }

        private static CrdFileResult Result(string path, List<CrdModel> crds, List<DiagnosticInfo> diagnostics) =>
            new(path, new EquatableArray<CrdModel>(crds), new EquatableArray<DiagnosticInfo>(diagnostics));
    }
}
