using System.Globalization;
using Microsoft.CodeAnalysis;

namespace MeshDns.Generators.Tests.Crd;

/// <summary>
/// Each rejected CRD sits in its own file next to a valid one (<see cref="CrdSamples.Good"/>), so "no source for
/// the bad CRD" is checked against a run that did generate. Diagnostics must name the file and the right line.
/// </summary>
public class CrdDiagnosticTests
{
    private static readonly string[] GoodOnly = ["MeshDns.Models.Good.g.cs", "MeshDns.Models.KubernetesMeta.g.cs"];

    // ---- MDNS101: malformed YAML (YamlDotNet's message and position), and what a CRD file may not use ----

    [Theory]
    [InlineData("tabs", "a:\n\tb: c", 1, "tab")]
    [InlineData("anchor", "a: &x\n  b: c", 1, "anchors are not supported")]
    [InlineData("alias", "a: x\nb: *x", 2, "aliases are not supported")]
    [InlineData("tag", "a: !!str x", 1, "tags are not supported")]
    [InlineData("tag on item", "a:\n  - !custom x", 2, "tags are not supported")]
    [InlineData("duplicate key", "a: 1\nb: 2\na: 3", 3, "Duplicate key")]
    [InlineData("unterminated quote", "a: 'open\nb: c", 1, "quoted scalar")]
    [InlineData("unclosed flow mapping", "a:\n  b: {c: d\n  e: f", 2, "")]
    [InlineData("bad indentation", "a:\n    b: c\n  d: e", 3, "did not find expected key")]
    [InlineData("sequence on key line", "a: - b", 1, "not allowed in this context")]
    [InlineData("mapping in plain value", "a: b: c", 1, "invalid mapping")]
    [InlineData("unknown escape", "a: \"x\\qy\"", 1, "unknown escape")]
    [InlineData("sequence item in mapping", "a: b\n- c", 2, "did not find expected key")]
    [InlineData("content after quoted", "a: 'x' y", 1, "did not find expected key")]
    [InlineData("content on document start", "--- a: b", 1, "invalid mapping")]
    [InlineData("reserved indicator", "a: @b", 1, "cannot start any token")]
    [InlineData("bad block header", "a: |x\n  b", 1, "block scalar")]
    public void MDNS101_yaml_error_is_reported_at_its_line(string name, string yaml, int line, string reason)
    {
        Assert.NotEmpty(name);
        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS101", line, reason);
    }

    [Fact]
    public void MDNS101_line_is_counted_with_crlf_line_ends()
    {
        string yaml = CrdSamples.Gadget("value:\n  type: string\n  description: &anchor text").ReplaceLineEndings("\r\n");

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS101", CrdSamples.LineOf(yaml, "&anchor"), "anchors");
    }

    [Fact]
    public void MDNS101_deep_nesting_is_rejected_before_the_tree_is_built()
    {
        string yaml = CrdSamples.Gadget("value:\n  type: string\n  default: " + new string('[', 101) + new string(']', 101));

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS101", CrdSamples.LineOf(yaml, "default:"), "nesting deeper than 100 levels");
    }

    [Fact]
    public void MDNS101_a_scanner_failure_inside_yamldotnet_is_a_diagnostic()
    {
        // YamlDotNet 18.1.0 throws InvalidOperationException on this (an unclosed flow mapping before a plain
        // scalar); the generator must report it, not fail.
        string yaml = CrdSamples.Gadget("phase: {type: string1\nobservedAt:\n  type: string");

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS101", CrdSamples.LineOf(yaml, "phase:"), "malformed YAML after this point");
    }

    // ---- MDNS102: documents that are not CRDs ----

    [Fact]
    public void MDNS102_document_of_another_kind()
    {
        const string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS102", 2, "kind 'ConfigMap'");
    }

    [Fact]
    public void MDNS102_second_document_of_another_kind_leaves_the_first_crd_generated()
    {
        string yaml = CrdSamples.Gadget("value:\n  type: string") + "\n---\napiVersion: v1\nkind: Secret\n";
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GadgetPath, yaml));

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("MDNS102", diagnostic.Id);
        Assert.Equal(CrdSamples.LineOf(yaml, "kind: Secret"), diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Equal(["MeshDns.Models.Gadget.g.cs", "MeshDns.Models.KubernetesMeta.g.cs"], run.HintNames);
    }

    [Fact]
    public void MDNS102_old_apiextensions_version()
    {
        string yaml = CrdSamples.Gadget("value:\n  type: string").Replace("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1", StringComparison.Ordinal);

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS102", 2, "apiextensions.k8s.io/v1beta1");
    }

    // ---- MDNS103: CRDs missing what the models need ----

    [Theory]
    [InlineData("- name: v1\n  served: true\n  storage: false\n  schema:\n    openAPIV3Schema:\n      type: object", "no version has 'storage: true'")]
    [InlineData("- name: v1\n  served: true\n  storage: true\n  schema:\n    openAPIV3Schema:\n      type: object\n- name: v2\n  served: true\n  storage: true", "exactly one may")]
    [InlineData("- name: v1\n  served: true\n  storage: true", "has no 'schema.openAPIV3Schema'")]
    [InlineData("- served: true\n  storage: true", "needs a 'name'")]
    public void MDNS103_versions_without_one_storage_schema(string versions, string reason)
    {
        string yaml = CrdSamples.GadgetVersions(versions);
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GoodPath, CrdSamples.Good), (CrdSamples.GadgetPath, yaml));

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("MDNS103", diagnostic.Id);
        Assert.Contains(reason, diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(CrdSamples.GadgetPath, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(GoodOnly, run.HintNames);
    }

    [Fact]
    public void MDNS103_missing_kind()
    {
        string yaml = CrdSamples.Gadget("value:\n  type: string").Replace("    kind: Gadget\n", string.Empty, StringComparison.Ordinal);

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS103", CrdSamples.LineOf(yaml, "plural: gadgets"), "'spec.names.kind' is missing");
    }

    [Fact]
    public void MDNS103_missing_plural()
    {
        string yaml = CrdSamples.Gadget("value:\n  type: string").Replace("    plural: gadgets\n", string.Empty, StringComparison.Ordinal);

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS103", CrdSamples.LineOf(yaml, "kind: Gadget"), "'spec.names.plural' is missing");
    }

    // ---- MDNS104: schema constructs that cannot be modelled ----

    [Theory]
    [InlineData("foo:\n  type: object\n  oneOf:\n  - properties:\n      a: {type: string}", "oneOf:", "spec.foo.oneOf")]
    [InlineData("foo:\n  anyOf:\n  - type: integer\n  - type: boolean", "anyOf:", "spec.foo.anyOf")]
    [InlineData("foo:\n  type: string\n  allOf:\n  - minLength: 1", "allOf:", "spec.foo.allOf")]
    [InlineData("foo:\n  type: string\n  not:\n    enum: [x]", "not:", "spec.foo.not")]
    [InlineData("foo:\n  $ref: '#/definitions/Foo'", "$ref", "spec.foo.$ref")]
    [InlineData("foo:\n  type: array", "foo:", "spec.foo")]
    [InlineData("foo:\n  description: no type", "foo:", "spec.foo")]
    [InlineData("foo:\n  type: blob", "type: blob", "spec.foo.type")]
    [InlineData("foo:\n  type: array\n  items:\n  - type: string", "items:", "spec.foo.items")]
    [InlineData("foo:\n  type: object\n  properties:\n    a: {type: string}\n  additionalProperties:\n    type: string", "additionalProperties:", "spec.foo.additionalProperties")]
    [InlineData("foo:\n  type: array\n  items:\n    type: object\n    properties:\n      bar:\n        type: object\n        oneOf:\n        - type: string", "oneOf:", "spec.foo[].bar.oneOf")]
    [InlineData("foo:\n  type: object\n  additionalProperties:\n    type: array", "additionalProperties:", "spec.foo{}")]
    [InlineData("foo:\n  type: [string, 'null']", "type: [string", "spec.foo.type")]
    [InlineData("foo:\n  x-kubernetes-int-or-string: true\n  anyOf:\n  - type: integer\n  - type: boolean", "anyOf:", "spec.foo.anyOf")]
    [InlineData("[a, b]:\n  type: string", "[a, b]:", "spec.properties")]
    public void MDNS104_unsupported_schema_is_reported_with_its_path(string properties, string marker, string path)
    {
        string yaml = CrdSamples.Gadget(properties);

        Diagnostic diagnostic = AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS104", CrdSamples.LineOf(yaml, marker), $"'{path}'");
        Assert.Contains("gadgets.example.com", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void MDNS104_every_problem_of_a_crd_is_reported()
    {
        string yaml = CrdSamples.Gadget("a:\n  type: array\nb:\n  $ref: x\nc:\n  type: string");
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GadgetPath, yaml));

        Assert.Equal(["MDNS104", "MDNS104"], run.Diagnostics.Select(d => d.Id));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Validation_only_combinators_are_ignored()
    {
        // Istio's older CRDs: "at most one of endpoints and workloadSelector", written with oneOf/not/anyOf/required.
        string yaml = CrdSamples.Gadget("""
            foo:
              type: object
              oneOf:
              - not:
                  anyOf:
                  - required: [a]
                  - required: [b]
              - required: [a]
              - required: [b]
              allOf:
              - required: [a]
              properties:
                a: {type: string}
                b: {type: string}
            """);
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GadgetPath, yaml));

        Assert.Empty(run.Diagnostics);
        Assert.Contains("public GadgetSpecFoo? Foo { get; set; }", run.Source("MeshDns.Models.Gadget.g.cs"), StringComparison.Ordinal);
    }

    // ---- MDNS105: names that are not C# identifiers ----

    [Theory]
    [InlineData("1st:\n  type: string", "1st:", "'1st'")]
    [InlineData("a+b:\n  type: string", "a+b:", "'a+b'")]
    [InlineData("$schema:\n  type: string", "$schema:", "'$schema'")]
    [InlineData("mode:\n  type: string\n  enum: [ok, 2fast]", "enum:", "'2fast'")]
    [InlineData("mode:\n  type: string\n  enum: [ok, '']", "enum:", "''")]
    public void MDNS105_invalid_identifier(string properties, string marker, string quotedName)
    {
        string yaml = CrdSamples.Gadget(properties);

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS105", CrdSamples.LineOf(yaml, marker), quotedName);
    }

    [Fact]
    public void MDNS105_invalid_kind()
    {
        string yaml = CrdSamples.Gadget("value:\n  type: string").Replace("kind: Gadget", "kind: Gad-get", StringComparison.Ordinal);

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS105", CrdSamples.LineOf(yaml, "kind: Gad-get"), "'Gad-get'");
    }

    // ---- MDNS106: generated names that collide ----

    [Theory]
    [InlineData("foo-bar:\n  type: string\nfooBar:\n  type: string", "fooBar:", "would both be named 'FooBar'")]
    [InlineData("ports:\n  type: array\n  items:\n    type: object\n    properties:\n      a: {type: string}\nportsItem:\n  type: object\n  properties:\n    b: {type: string}", "portsItem:", "type 'GadgetSpecPortsItem'")]
    [InlineData("mode:\n  type: string\n  enum: [dns, DNS]", "enum:", "would both be named 'Dns'")]
    [InlineData("mode:\n  type: string\n  enum: [all]", "enum:", "'All'")]
    [InlineData("gadgetSpecFoo:\n  type: string\nfoo:\n  type: object\n  properties:\n    gadgetSpecFoo: {type: string}", "gadgetSpecFoo: {type", "like its class")]
    public void MDNS106_name_conflict_within_a_crd(string properties, string marker, string reason)
    {
        string yaml = CrdSamples.Gadget(properties);

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS106", CrdSamples.LineOf(yaml, marker), reason);
    }

    [Fact]
    public void MDNS106_kind_taken_by_a_standard_type()
    {
        string yaml = CrdSamples.Gadget("value:\n  type: string").Replace("kind: Gadget", "kind: ObjectMeta", StringComparison.Ordinal);

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS106", CrdSamples.LineOf(yaml, "kind: ObjectMeta"), "'ObjectMeta'");
    }

    [Fact]
    public void MDNS106_class_taken_by_the_constants_class()
    {
        string yaml = CrdSamples.GadgetVersions("""
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    crd: {type: object, properties: {a: {type: string}}}
            """);

        AssertRejected(CrdSamples.GadgetPath, yaml, "MDNS106", CrdSamples.LineOf(yaml, "crd: {type"), "type 'GadgetCrd' would be generated for both '(constants)' and 'crd'");
    }

    [Fact]
    public void MDNS106_the_later_file_with_the_same_types_is_skipped()
    {
        string other = CrdSamples.Good.Replace("goods.example.com", "goods.other.example", StringComparison.Ordinal);
        CrdRunOutcome run = CrdHarness.Run(("/crds/z-other.crd.yaml", other), (CrdSamples.GoodPath, CrdSamples.Good));

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("MDNS106", diagnostic.Id);
        Assert.Equal("/crds/z-other.crd.yaml", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(CrdSamples.LineOf(other, "kind: Good"), diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.Contains("goods.example.com", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(GoodOnly, run.HintNames);
        Assert.Contains("goods.example.com", run.Source("MeshDns.Models.Good.g.cs"), StringComparison.Ordinal);
    }

    // ---- MDNS107: served versions with another schema ----

    [Fact]
    public void MDNS107_served_versions_with_different_schemas_warn_and_follow_the_storage_version()
    {
        string yaml = CrdSamples.GadgetVersions("""
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec: {type: object, properties: {a: {type: string}}}
            - name: v1beta1
              served: true
              storage: false
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec: {type: object, properties: {a: {type: integer}}}
            - name: v1alpha1
              served: true
              storage: false
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec: {type: object, properties: {a: {type: string}}}
            - name: v0
              served: false
              storage: false
            """);
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GadgetPath, yaml));

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("MDNS107", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(CrdSamples.LineOf(yaml, "name: v1beta1"), diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains("'v1beta1'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("v1alpha1", message, StringComparison.Ordinal);
        Assert.DoesNotContain("'v0'", message, StringComparison.Ordinal);
        Assert.Contains("public string? A { get; set; }", run.Source("MeshDns.Models.Gadget.g.cs"), StringComparison.Ordinal);
    }

    // ---- MDNS108: the namespace property ----

    [Theory]
    [InlineData("My-Models")]
    [InlineData("A..B")]
    [InlineData("Models.class")]
    public void MDNS108_invalid_namespace(string ns)
    {
        CrdRunOutcome run = CrdHarness.RunWith(ns, (CrdSamples.GoodPath, CrdSamples.Good));

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("MDNS108", diagnostic.Id);
        Assert.Contains($"'{ns}'", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Valid_crd_reports_nothing()
    {
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GoodPath, CrdSamples.Good));

        Assert.Empty(run.Diagnostics);
        Assert.Equal(GoodOnly, run.HintNames);
    }

    [Fact]
    public void Empty_file_and_empty_documents_report_nothing()
    {
        CrdRunOutcome run = CrdHarness.Run(("/crds/empty.crd.yaml", "# nothing yet\n"), ("/crds/dashes.crd.yaml", "---\n---\n...\n"));

        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.Sources);
    }

    /// <summary>
    /// Exactly one error, with <paramref name="id"/>, in <paramref name="path"/> at 1-based <paramref name="line"/>,
    /// whose message contains <paramref name="reason"/>; only the valid neighbour CRD is generated.
    /// </summary>
    private static Diagnostic AssertRejected(string path, string yaml, string id, int line, string reason)
    {
        CrdRunOutcome run = CrdHarness.Run((CrdSamples.GoodPath, CrdSamples.Good), (path, yaml));

        Diagnostic diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(reason, diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        FileLinePositionSpan where = diagnostic.Location.GetLineSpan();
        Assert.Equal(path, where.Path);
        Assert.Equal(line, where.StartLinePosition.Line + 1);
        Assert.Equal(GoodOnly, run.HintNames);
        return diagnostic;
    }
}
