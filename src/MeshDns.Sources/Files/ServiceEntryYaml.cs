using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MeshDns.Models;
using MeshDns.Models.Validation;
using MeshDns.Table;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MeshDns.Sources.Files;

/// <summary>What one YAML file yielded.</summary>
/// <param name="Entries">The valid ServiceEntries, in file order (a repeated namespace/name keeps the last).</param>
/// <param name="Warnings">One line per skipped or repeated ServiceEntry: <c>file:line namespace/name: what is wrong</c>.</param>
/// <param name="Error">Non-null when the file is not valid YAML (<c>file:line:column: reason</c>); then nothing else is read.</param>
public sealed record FileParseResult(IReadOnlyList<ServiceEntryInput> Entries, IReadOnlyList<string> Warnings, string? Error)
{
    /// <summary>Documents or List items of other kinds or API groups (a ConfigMap, a Service…), skipped silently.</summary>
    public int OtherDocuments { get; init; }

    /// <summary>ServiceEntries skipped because something in them is wrong (each has one warning).</summary>
    public int InvalidEntries { get; init; }
}

/// <summary>
/// How many nodes alias expansion may add, per file and per reload (one budget shared by all files read
/// together), so that a few bytes of "billion laughs" cannot take time or memory.
/// </summary>
public sealed class YamlBudget
{
    /// <summary>Nodes aliases may add in one file.</summary>
    public const long PerFile = 1_000_000;

    /// <summary>Nodes aliases may add in one reload, all files together.</summary>
    public const long PerReload = 4 * PerFile;

    private long _reload = PerReload;
    private long _file;

    internal void StartFile() => _file = PerFile;

    internal bool TryCharge(long nodes)
    {
        if (nodes > _file || nodes > _reload)
        {
            return false;
        }

        (_file, _reload) = (_file - nodes, _reload - nodes);
        return true;
    }

    internal string Describe() => _reload < _file ? $"{PerReload} nodes (all files read together)" : $"{PerFile} nodes";
}

/// <summary>
/// Reads Istio ServiceEntries (networking.istio.io v1alpha3, v1beta1, v1) from YAML as <c>kubectl apply -f</c>
/// takes them: documents separated by <c>---</c>, and <c>kind: List</c> (or ServiceEntryList) with <c>items</c>.
/// Each ServiceEntry is read into the generated model by YamlDotNet and checked by <see cref="ServiceEntryCheck"/>,
/// as the Kubernetes source does, so an entry is taken or refused the same way from a file as from the API.
/// </summary>
public static class ServiceEntryYaml
{
    private const int MaxListDepth = 4;
    private const int PipelineFrom = 256 * 1024; // characters; smaller files are read on one thread
    private const int PipelineDepth = 64; // documents parsed ahead at most

    /// <summary>Parses one file's text with a budget of its own (see the overload).</summary>
    public static FileParseResult Parse(string yaml, string fileName) => Parse(yaml, fileName, new YamlBudget());

    /// <summary>
    /// Parses one file's text. Never throws for bad input: a YAML syntax error makes <see cref="FileParseResult.Error"/>
    /// non-null (and no entries), a bad ServiceEntry is left out with one warning, other kinds are counted.
    /// </summary>
    /// <param name="yaml">The file's content.</param>
    /// <param name="fileName">How messages name the file.</param>
    /// <param name="budget">The alias budget of the reload this file is part of.</param>
    public static FileParseResult Parse(string yaml, string fileName, YamlBudget budget)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(budget);
        budget.StartFile();
        var reader = new Reader(fileName, budget);
        string? error = yaml.Length < PipelineFrom ? Documents(yaml, fileName, reader.Document) : Pipelined(yaml, fileName, reader.Document);
        if (error is not null)
        {
            return new FileParseResult([], [], error);
        }

        return new FileParseResult(reader.Entries, reader.Warnings, null)
        {
            OtherDocuments = reader.OtherDocuments,
            InvalidEntries = reader.InvalidEntries,
        };
    }

    /// <summary>Hands each document's events to <paramref name="read"/>; returns the syntax error that ends the file, if any.</summary>
    private static string? Documents(string yaml, string fileName, Action<YamlEvents> read)
    {
        try
        {
            // YamlDotNet 18.1 spins through 2^32 positions (~30 s) on an unknown directive that runs to the end of a text
            // whose length is a multiple of 1024 (fuzz finding): a final line break, which changes no value, avoids it.
            string text = yaml.EndsWith('\n') ? yaml : yaml + "\n";
            var parser = new CheckedParser(new Parser(new StringReader(text)));
            parser.MoveNext(); // StreamStart
            parser.MoveNext();
            while (parser.Current is DocumentStart)
            {
                read(YamlEvents.Read(parser));
            }

            return null;
        }
        catch (YamlException e)
        {
            return $"{fileName}:{YamlSyntaxError.Describe(yaml, e)}";
        }
    }

    /// <summary>For a large file, YamlDotNet's parser (about half of the work) runs ahead on a second thread while this one
    /// deserializes and checks; documents stay in file order. A failure of the reader is rethrown once the parser is done.</summary>
    private static string? Pipelined(string yaml, string fileName, Action<YamlEvents> read)
    {
        using var documents = new BlockingCollection<YamlEvents>(PipelineDepth);
        Task<string?> parse = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    return Documents(yaml, fileName, documents.Add);
                }
                finally
                {
                    documents.CompleteAdding();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        ExceptionDispatchInfo? failure = null;
        foreach (YamlEvents document in documents.GetConsumingEnumerable())
        {
            try
            {
                if (failure is null)
                {
                    read(document);
                }
            }
#pragma warning disable CA1031 // kept to be rethrown after the parser thread has finished (it must never block on a full queue)
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }

        failure?.Throw();
        return parse.GetAwaiter().GetResult();
    }

    /// <summary>
    /// YamlDotNet's parser throws other exceptions than YamlException on a few malformed streams (found by fuzzing:
    /// InvalidOperationException on "...\r.", ArgumentOutOfRangeException on the escape "\uD800"); here they are
    /// syntax errors of the file like any other.
    /// </summary>
    private sealed class CheckedParser(Parser parser) : IParser
    {
        public ParsingEvent? Current => parser.Current;

        public bool MoveNext()
        {
            try
            {
                return parser.MoveNext();
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
            {
                Mark at = parser.Current?.End ?? Mark.Empty;
                throw new YamlException(at, at, "invalid YAML", e);
            }
        }
    }

    /// <summary>The state of reading one file.</summary>
    private sealed class Reader(string fileName, YamlBudget budget)
    {
        private readonly Dictionary<string, (int Index, int Line)> _seen = new(StringComparer.Ordinal);

        public List<ServiceEntryInput> Entries { get; } = [];

        public List<string> Warnings { get; } = [];

        public int OtherDocuments { get; private set; }

        public int InvalidEntries { get; private set; }

        public void Document(YamlEvents doc) => Node(doc, 0, null, null, 0);

        /// <summary>Reads a document or a List item (<paramref name="depth"/> Lists down) at event <paramref name="at"/>.</summary>
        public void Node(YamlEvents doc, int at, string? inheritedApiVersion, string? inheritedKind, int depth)
        {
            at = doc.Events[at] is AnchorAlias && doc.Links[at] >= 0 ? doc.Links[at] : at;
            if (doc.Events[at] is Scalar { Value: "" or "~" or "null", Style: ScalarStyle.Plain })
            {
                return; // an empty document, e.g. after a final "---"
            }

            (int items, string? apiVersion, string? kind) = doc.Events[at] is MappingStart ? Header(doc, at) : (-1, null, null);
            apiVersion ??= inheritedApiVersion;
            kind ??= inheritedKind;
            string? group = apiVersion is null ? null : ServiceEntryCheck.GroupOf(apiVersion);
            bool list = kind == "List" || (kind == ServiceEntryCrd.ListKind && group == ServiceEntryCrd.Group);
            if (doc.Events[at] is not MappingStart || (list && depth >= MaxListDepth))
            {
                OtherDocuments++;
            }
            else if (list)
            {
                List(doc, items, kind!, kind == "List" ? null : apiVersion, kind == "List" ? null : ServiceEntryCrd.Kind, depth);
            }
            else if (kind == ServiceEntryCrd.Kind && (apiVersion is null || group == ServiceEntryCrd.Group))
            {
                Entry(doc, at, inheritedApiVersion);
            }
            else
            {
                OtherDocuments++;
            }
        }

        /// <summary>The top-level <c>items</c> (event index or -1), <c>apiVersion</c> and <c>kind</c> of a mapping.</summary>
        private static (int Items, string? ApiVersion, string? Kind) Header(YamlEvents doc, int mapping)
        {
            (int items, string? apiVersion, string? kind) = (-1, null, null);
            for (int i = mapping + 1; i < doc.Links[mapping]; i = doc.End(doc.End(i) + 1) + 1)
            {
                string? text = doc.Events[doc.End(i) + 1] is Scalar { Value: { Length: > 0 } v } ? v : null;
                switch ((doc.Events[i] as Scalar)?.Value)
                {
                    case "items": items = doc.End(i) + 1; break;
                    case "apiVersion": apiVersion = text; break;
                    case "kind": kind = text; break;
                }
            }

            return (items, apiVersion, kind);
        }

        private void List(YamlEvents doc, int items, string kind, string? itemApiVersion, string? itemKind, int depth)
        {
            if (items < 0 || doc.Events[items] is Scalar { Value: "" or "~" or "null" })
            {
                return;
            }

            if (doc.Events[items] is not SequenceStart)
            {
                Warnings.Add($"{fileName}:{doc.Events[items].Start.Line} {kind}: items: expected a list, found {(doc.Events[items] is MappingStart ? "a map" : "a string")}");
                return;
            }

            for (int i = items + 1; i < doc.Links[items]; i = doc.End(i) + 1)
            {
                Node(doc, i, itemApiVersion, itemKind, depth + 1);
            }
        }

        private void Entry(YamlEvents doc, int at, string? inheritedApiVersion)
        {
            var replay = new YamlReplay(doc, at, budget);
            ServiceEntry se;
            try
            {
                se = YamlModelContext.Deserializer.Deserialize<ServiceEntry>(replay);
            }
            catch (YamlException e)
            {
                replay.Problems.Add(new Problem(replay.Path, null, "cannot be read") { Line = (int)e.Start.Line });
                se = new ServiceEntry();
            }

            List<Problem> problems = replay.Problems;
            if (se.ApiVersion is null)
            {
                se.ApiVersion = inheritedApiVersion;
                if (inheritedApiVersion is null && !problems.Exists(p => p.Path == "apiVersion"))
                {
                    problems.Add(new("apiVersion", null, $"missing (expected {ServiceEntryCheck.ExpectedApiVersions})"));
                }
            }

            if (problems.Count == 0)
            {
                ServiceEntryCheck.Check(se, problems);
            }
            else
            {
                ServiceEntryCheck.CheckHeader(se, problems); // values are not checked on a wrong shape
            }

            Add(doc, at, se, problems);
        }

        private void Add(YamlEvents doc, int at, ServiceEntry se, List<Problem> problems)
        {
            int line = (int)doc.Events[at].Start.Line;
            if (problems.Count > 0)
            {
                string id = ServiceEntryCheck.IdOf(se.Metadata);
                InvalidEntries++;
                Problem first = Problem.Ordered(problems)[0];
                int where = first.Line > 0 ? first.Line : YamlReplay.LineOf(doc, at, first.Path);
                Warnings.Add($"{fileName}:{where} {id}: {Problem.Format(problems)}");
                return;
            }

            ServiceEntryInput entry = ServiceEntryCheck.ToInput(se);
            if (_seen.TryGetValue(entry.Id, out (int Index, int Line) earlier))
            {
                Warnings.Add($"{fileName}:{line} {entry.Id}: defined again (first at line {earlier.Line}); the later one is used");
                Entries[earlier.Index] = entry;
                _seen[entry.Id] = (earlier.Index, line);
            }
            else
            {
                _seen[entry.Id] = (Entries.Count, line);
                Entries.Add(entry);
            }
        }
    }
}
