namespace MeshDns.Generators.Tests.Crd;

/// <summary>CRD texts the generator is run on.</summary>
internal static class CrdSamples
{
    /// <summary>
    /// A synthetic CRD covering every mapping: scalars and formats, enums (with odd spellings), int-or-string,
    /// preserve-unknown-fields, maps of strings, objects and arrays, nested arrays, arrays of objects in arrays,
    /// a validation-only oneOf, flow collections, every scalar style in descriptions, and a non-served version
    /// with another schema (ignored).
    /// </summary>
    public const string Widget = """
        # A test CRD.
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
          versions:
          - name: v2
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                description: 'A widget: <markup> & "quotes", it''s escaped.'
                properties:
                  spec:
                    type: object
                    required: [size, mode]
                    properties:
                      size:
                        type: integer
                        format: int32
                        description: "Size in \"units\"\tand a tab."
                      count:
                        type: integer
                        format: int64
                        description: |
                          Literal block.
                            Indented line kept.

                          After an empty line.
                      ratio:
                        type: number
                        description: >
                          Folded block
                          joined into one line.

                          New paragraph.
                      enabled:
                        type: boolean
                        description: Plain scalar
                          continued on a second line.
                      mode:
                        type: string
                        enum: [FAST_AND_LOOSE, slow, Medium-Rare, "http2"]
                      created:
                        type: string
                        format: date-time
                      port:
                        x-kubernetes-int-or-string: true
                        anyOf:
                        - type: integer
                        - type: string
                      raw:
                        type: object
                        x-kubernetes-preserve-unknown-fields: true
                      anything:
                        x-kubernetes-preserve-unknown-fields: true
                      annotations:
                        type: object
                        additionalProperties:
                          type: string
                      limits:
                        type: object
                        description: Limits by resource name.
                        additionalProperties:
                          type: object
                          properties:
                            max: {type: integer}
                            unit: {type: string}
                      matrix:
                        type: array
                        items:
                          type: array
                          items:
                            type: integer
                            format: int32
                      groups:
                        type: array
                        items:
                          type: object
                          required:
                          - members
                          properties:
                            members:
                              type: array
                              items:
                                type: object
                                properties:
                                  name: {type: string}
                                  tags: {type: array, items: {type: string, enum: [a, b]}}
                      x-vendor-flag:
                        type: boolean
                      selector:
                        type: object
                        oneOf:
                        - required: [matchLabels]
                        - required: [matchExpressions]
                        properties:
                          matchLabels: {type: object, additionalProperties: {type: string}}
                          matchExpressions: {type: array, items: {type: string}}
                      tagsByName:
                        type: object
                        additionalProperties:
                          type: array
                          items: {type: string}
                      extra:
                        type: object
                        additionalProperties: true
                      empty:
                        type: object
                  status:
                    type: object
                    properties:
                      phase: {type: string}
                      observedAt:
                        type: string
                        format: date-time
          - name: v1
            served: false
            storage: false
            schema:
              openAPIV3Schema:
                type: object
        """;

    /// <summary>A valid CRD in its own file, next to rejected ones: "no source" is then per CRD, not a failed run.</summary>
    public const string Good = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: goods.example.com
        spec:
          group: example.com
          scope: Namespaced
          names:
            kind: Good
            plural: goods
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      value:
                        type: string
        """;

    public const string GoodPath = "/crds/goods.crd.yaml";

    public const string GadgetPath = "/crds/gadgets.crd.yaml";

    /// <summary>A Gadget CRD whose spec has the given properties (YAML at the indentation of a property name, 0).</summary>
    public static string Gadget(string specProperties) => $"""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: gadgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names:
            kind: Gadget
            plural: gadgets
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
        {Indent(specProperties, 14)}
        """;

    /// <summary>A Gadget CRD whose versions are the given YAML (items of spec.versions, at indentation 0).</summary>
    public static string GadgetVersions(string versions) => $"""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: gadgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names:
            kind: Gadget
            plural: gadgets
          versions:
        {Indent(versions, 2)}
        """;

    public static string Indent(string text, int spaces) =>
        string.Join("\n", text.ReplaceLineEndings("\n").Split('\n').Select(line => line.Length == 0 ? line : new string(' ', spaces) + line));

    /// <summary>The 1-based number of the first line of <paramref name="text"/> that contains <paramref name="marker"/>.</summary>
    public static int LineOf(string text, string marker)
    {
        string[] lines = text.ReplaceLineEndings("\n").Split('\n');
        int index = Array.FindIndex(lines, l => l.Contains(marker, StringComparison.Ordinal));
        Assert.True(index >= 0, $"'{marker}' is not in the sample");
        return index + 1;
    }
}
