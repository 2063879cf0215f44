using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MeshDns.Models.Json;

internal static partial class JsonShape
{
    /// <summary>What the check needs of a <see cref="JsonTypeInfo"/>, looked up once per type rather than once per value:
    /// its properties by UTF-8 name, the shape of its items.</summary>
    private sealed class Shape
    {
        private static readonly Dictionary<JsonTypeInfo, Shape> Known = [];
        private readonly JsonTypeInfo _info;
        private (string Name, byte[] Utf8, JsonTypeInfo Type)[]? _properties;
        private Shape? _element;

        private Shape(JsonTypeInfo info)
        {
            _info = info;
            Type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        }

        public static Shape Of(JsonTypeInfo info)
        {
            lock (Known)
            {
                return Known.TryGetValue(info, out Shape? shape) ? shape : Known[info] = new Shape(info);
            }
        }

        public JsonTypeInfo Info => _info;

        /// <summary>The type without <see cref="Nullable{T}"/>.</summary>
        public Type Type { get; }

        public bool IsRaw => Type == typeof(JsonElement);

        /// <summary>The shape of an array's or a map's items; null when the type info names none.</summary>
        public Shape? Element => _info.ElementType is null ? null : _element ??= Of(_info.Options.GetTypeInfo(_info.ElementType));

        /// <summary>The model property a JSON property fills, compared in UTF-8 so no name string is made; false for unknown ones.</summary>
        public bool TryGetProperty(JsonProperty property, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out Shape? shape)
        {
            _properties ??= Properties(_info);
            foreach ((string known, byte[] utf8, JsonTypeInfo type) in _properties)
            {
                if (property.NameEquals(utf8))
                {
                    (name, shape) = (known, Of(type));
                    return true;
                }
            }

            (name, shape) = (null, null);
            return false;
        }

        private static (string Name, byte[] Utf8, JsonTypeInfo Type)[] Properties(JsonTypeInfo info)
        {
            var properties = new (string, byte[], JsonTypeInfo)[info.Properties.Count];
            for (int i = 0; i < properties.Length; i++)
            {
                JsonPropertyInfo p = info.Properties[i];
                properties[i] = (p.Name, Encoding.UTF8.GetBytes(p.Name), info.Options.GetTypeInfo(p.PropertyType));
            }

            return properties;
        }
    }

    /// <summary>Where the check is, as steps (a property name, an item index, a map key by position); text only when needed.
    /// One per thread, reused: the check is not re-entered while it runs.</summary>
    private sealed class JsonPathStack
    {
        [ThreadStatic]
        private static JsonPathStack? t_current;
        private string _root = "";
        private string?[] _names = new string?[8];
        private int[] _indexes = new int[8];
        private JsonElement[] _maps = new JsonElement[8];
        private int _depth;

        public static JsonPathStack At(string root)
        {
            JsonPathStack stack = t_current ??= new JsonPathStack();
            (stack._root, stack._depth) = (root, 0);
            return stack;
        }

        public void Push(string name) => Push(name, -1, default);

        public void Push(int index) => Push(null, index, default);

        /// <summary>The <paramref name="index"/>-th property of <paramref name="map"/>: its key is read only for a message.</summary>
        public void PushKey(JsonElement map, int index) => Push(null, index, map);

        public void Pop() => _maps[--_depth] = default;

        private void Push(string? name, int index, JsonElement map)
        {
            if (_depth == _names.Length)
            {
                Array.Resize(ref _names, _depth * 2);
                Array.Resize(ref _indexes, _depth * 2);
                Array.Resize(ref _maps, _depth * 2);
            }

            (_names[_depth], _indexes[_depth], _maps[_depth]) = (name, index, map);
            _depth++;
        }

        public string Text()
        {
            var text = new StringBuilder(_root);
            for (int i = 0; i < _depth; i++)
            {
                string? key = _names[i] ?? KeyAt(_maps[i], _indexes[i]);
                if (key is null)
                {
                    text.Append(CultureInfo.InvariantCulture, $"[{_indexes[i]}]");
                }
                else
                {
                    text.Append(text.Length == 0 ? "" : ".").Append(key);
                }
            }

            return text.ToString();
        }

        private static string? KeyAt(JsonElement map, int index)
        {
            if (map.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (JsonProperty property in map.EnumerateObject())
            {
                if (index-- == 0)
                {
                    return property.Name;
                }
            }

            return null;
        }
    }
}
