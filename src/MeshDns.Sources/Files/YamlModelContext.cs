using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using MeshDns.Models;
using MeshDns.Models.Json;
using MeshDns.Models.Validation;
using MeshDns.Table;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MeshDns.Sources.Files;

/// <summary>YamlDotNet metadata for the generated models, emitted at build time (no reflection, AOT-safe).</summary>
/// <remarks>Property names are the models' JSON names, which are their C# names in camelCase.</remarks>
[YamlStaticContext]
[YamlSerializable(typeof(ServiceEntry))]
[YamlSerializable(typeof(ObjectMeta))]
[YamlSerializable(typeof(ServiceEntrySpec))]
[YamlSerializable(typeof(ServiceEntrySpecPortsItem))]
[YamlSerializable(typeof(ServiceEntrySpecEndpointsItem))]
[YamlSerializable(typeof(ServiceEntrySpecWorkloadSelector))]
[YamlSerializable(typeof(ServiceEntryStatus))]
[YamlSerializable(typeof(ServiceEntryStatusAddressesItem))]
[YamlSerializable(typeof(ServiceEntryStatusConditionsItem))]
public partial class YamlModelContext : StaticContext
{
    /// <summary>A deserializer into the models that checks every value against its type (<see cref="Values"/>).</summary>
    internal static IDeserializer Deserializer { get; } = Build();

    private static IDeserializer Build()
    {
        var context = new YamlModelContext();
        return new StaticDeserializerBuilder(context)
            .WithNamingConvention(CamelCaseNamingConvention.Instance)
            .WithTypeInspector(inner => new CachedProperties(inner))
            .IgnoreUnmatchedProperties()
            .WithNodeDeserializer(new Values(context.GetFactory()), s => s.OnTop())
            .Build();
    }

    /// <summary>
    /// Remembers which property a key names: YamlDotNet would look through every property each time (a third of
    /// the time of a 100k-entry file). Only names that are properties are kept, so the cache stays small.
    /// </summary>
    private sealed class CachedProperties(ITypeInspector inner) : ITypeInspector
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(Type, string), IPropertyDescriptor> _found = new();

        public IEnumerable<IPropertyDescriptor> GetProperties(Type type, object? container) => inner.GetProperties(type, container);

        public IPropertyDescriptor GetProperty(Type type, object? container, string name, bool ignoreUnmatched, bool caseInsensitivePropertyMatching)
        {
            if (!_found.TryGetValue((type, name), out IPropertyDescriptor? property))
            {
                property = inner.GetProperty(type, container, name, ignoreUnmatched, caseInsensitivePropertyMatching);
                if (property is not null)
                {
                    _found[(type, name)] = property;
                }
            }

            return property!; // null for an unknown key, which is then skipped
        }

        public bool HasParseMethod(Type type) => inner.HasParseMethod(type);

        public object? Parse(string value, Type type) => inner.Parse(value, type);

        public string GetEnumName(Type enumType, string name) => inner.GetEnumName(enumType, name);

        public string GetEnumValue(object enumValue) => inner.GetEnumValue(enumValue);
    }

    /// <summary>
    /// Reads scalars, lists and maps itself, typed by the YAML 1.2 core schema (a plain <c>80</c> is a number,
    /// <c>"80"</c> a string), so that a value of the wrong type is a problem at its path instead of an exception
    /// or a silent conversion; objects are left to YamlDotNet. Such values are read as null.
    /// </summary>
    private sealed partial class Values(IObjectFactory factory) : INodeDeserializer
    {
        public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nested, out object? value, ObjectDeserializer rootDeserializer)
        {
            var replay = (YamlReplay)reader;
            bool nullForbidden = replay.NullForbidden;
            replay.NullForbidden = false;
            (Type type, Type? item, bool scalarType) = Describe(expectedType);
            ParsingEvent e = reader.Current!;
            value = null;
            if (type == typeof(System.Text.Json.JsonElement))
            {
                reader.SkipThisAndNestedEvents(); // status.observedGeneration: not read
                return true;
            }

            if (e is Scalar s && KindOf(s) == Kind.Null)
            {
                if (nullForbidden)
                {
                    replay.Problem(e, null, $"expected {Expected(type)}, found null");
                }
            }
            else if (e is Scalar scalar && scalarType)
            {
                value = Convert(scalar, type);
                if (value is null)
                {
                    replay.Problem(e, scalar.Value, $"expected {Expected(type)}, found {Describe(scalar, type)}");
                }
            }
            else if (e is SequenceStart or MappingStart && type.IsGenericType && factory.Create(type) is { } collection
                && (e is SequenceStart ? collection is IList : collection is IDictionary))
            {
                value = Items(replay, collection, item!, nested);
            }
            else if (e is MappingStart && !type.IsGenericType && !scalarType)
            {
                return false; // an object: YamlDotNet's own deserializer, with the static metadata
            }
            else
            {
                replay.Problem(e, (e as Scalar)?.Value, $"expected {Expected(type)}, found {Describe(e, type)}");
                reader.SkipThisAndNestedEvents();
                return true;
            }

            reader.MoveNext();
            return true;
        }

        /// <summary>Reads a list's items or a map's values (where null is not allowed) into <paramref name="collection"/>.</summary>
        private static object Items(YamlReplay reader, object collection, Type item, Func<IParser, Type, object?> nested)
        {
            reader.MoveNext();
            while (reader.Current is not (SequenceEnd or MappingEnd))
            {
                string? key = collection is IDictionary ? ((Scalar)reader.Current!).Value : null;
                if (key is not null)
                {
                    reader.MoveNext();
                }

                reader.NullForbidden = true;
                object? value = nested(reader, item);
                if (key is null)
                {
                    ((IList)collection).Add(value);
                }
                else
                {
                    ((IDictionary)collection)[key] = value;
                }
            }

            return collection;
        }

        private enum Kind { Null, Bool, Int, Float, String }

        private readonly Dictionary<Type, (Type, Type?, bool)> _types = [];

        /// <summary>The type without Nullable, its item type (lists, maps), whether it is read from a scalar; cached.</summary>
        private (Type Type, Type? Item, bool Scalar) Describe(Type expected)
        {
            lock (_types)
            {
                if (!_types.TryGetValue(expected, out (Type, Type?, bool) found))
                {
                    Type type = Nullable.GetUnderlyingType(expected) ?? expected;
                    found = (type, type.IsGenericType ? type.GetGenericArguments()[^1] : null, type == typeof(string) || type.IsValueType);
                    _types[expected] = found;
                }

                return found;
            }
        }

        /// <summary>What a scalar is in the YAML 1.2 core schema (tags were made styles by <see cref="YamlReplay"/>).</summary>
        private static Kind KindOf(Scalar s) =>
            s.Style != ScalarStyle.Plain ? Kind.String
                : s.Value is "" or "~" or "null" or "Null" or "NULL" ? Kind.Null
                : s.Value is "true" or "True" or "TRUE" or "false" or "False" or "FALSE" ? Kind.Bool
                : s.Value[0] is not ('.' or '+' or '-' or (>= '0' and <= '9')) ? Kind.String
                : IntPattern().IsMatch(s.Value) ? Kind.Int
                : FloatPattern().IsMatch(s.Value) ? Kind.Float
                : Kind.String;

        /// <summary>The scalar as <paramref name="type"/>, or null when it is not one.</summary>
        private static object? Convert(Scalar s, Type type)
        {
            Kind kind = KindOf(s);
            string text = s.Value;
            if (type == typeof(string))
            {
                return kind == Kind.String ? text : null;
            }

            if (type == typeof(DateTimeOffset))
            {
                return kind == Kind.String && ServiceEntryCheck.TryParseTime(text, out DateTimeOffset time) ? time : null;
            }

            if (type == typeof(bool))
            {
                return kind == Kind.Bool ? text.Length == 4 : null;
            }

            long? number = kind == Kind.Int ? Integer(text) : null;
            return type == typeof(int) ? number is >= int.MinValue and <= int.MaxValue ? (int)number : null
                : type == typeof(long) ? number
                : type == typeof(double) && kind is Kind.Int or Kind.Float
                    && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
                : null;
        }

        private static long? Integer(string text)
        {
            string digits = text.TrimStart('+');
            (int radix, int skip) = digits.StartsWith("0o", StringComparison.Ordinal) ? (8, 2) : digits.StartsWith("0x", StringComparison.Ordinal) ? (16, 2) : (10, 0);
            try
            {
                return radix == 10 ? long.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : System.Convert.ToInt64(digits[skip..], radix);
            }
            catch (OverflowException)
            {
                return null;
            }
        }

        /// <summary>What was found, for messages: "a string", "an array", "true", or the number.</summary>
        private static string Describe(ParsingEvent e, Type type) => e switch
        {
            MappingStart => "an object",
            SequenceStart => "an array",
            Scalar s when type == typeof(DateTimeOffset) && KindOf(s) == Kind.String => $"'{s.Value}'",
            Scalar s => KindOf(s) switch
            {
                Kind.Bool => s.Value.ToLowerInvariant(),
                Kind.Int or Kind.Float => s.Value.TrimStart('+') is var n && n.StartsWith('.') ? "0" + n : n.Replace("-.", "-0.", StringComparison.Ordinal),
                _ => "a string",
            },
            _ => "a value",
        };

        /// <summary>What a type expects, for messages: "a string", "an array of strings", "a map of 32-bit integers".</summary>
        private static string Expected(Type type) => Words(type, plural: false);

        private static string Words(Type type, bool plural)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            return type == typeof(string) || type.IsValueType ? JsonShape.Scalar(type, plural)
                : !type.IsGenericType ? plural ? "objects" : "an object"
                : type.GetGenericArguments().Length == 1 ? $"{(plural ? "arrays" : "an array")} of {Words(type.GetGenericArguments()[0], true)}"
                : $"{(plural ? "maps" : "a map")} of {Words(type.GetGenericArguments()[1], true)}";
        }

        [GeneratedRegex(@"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant)]
        private static partial Regex IntPattern();

        [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
        private static partial Regex FloatPattern();
    }
}
