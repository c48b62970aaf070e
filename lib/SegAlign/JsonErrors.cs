using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SegAlign;

/// <summary>
/// Turns System.Text.Json's messages ("could not be converted to System.Int32. Path: $.train.batchSize | LineNumber: 0 |
/// BytePositionInLine: 42") into the project's words: the dotted field, the type it expects in words, the value it got,
/// and for an unknown field the nearest known one.
/// </summary>
public static partial class JsonErrors
{
    public sealed record Problem(string Field, string What, string Fix);

    [GeneratedRegex("The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    public static Problem Describe(JsonException e, Type root, string json)
    {
        string field = (e.Path ?? "$").TrimStart('$').TrimStart('.');
        field = Regex.Replace(field, @"\[(\d+)\]", ".$1").Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).Trim('.');
        if (UnmappedProperty().Match(e.Message) is { Success: true } unmapped)
        {
            string name = unmapped.Groups["name"].Value;
            // The path ends either at the unknown property or at its parent object, depending on the reader's position.
            string parent = field.EndsWith(name, StringComparison.OrdinalIgnoreCase) ? field[..^name.Length].TrimEnd('.') : field;
            string full = parent.Length > 0 ? $"{parent}.{name}" : name;
            var known = TypeAt(root, parent) is { } type ? Properties(type).Select(p => Camel(p.Name)).ToList() : [];
            string? nearest = Nearest(name, known);
            return new Problem(full, "is not a known setting",
                (nearest is not null ? $"did you mean {(parent.Length > 0 ? parent + "." : "")}{nearest}? " : "")
                + (known.Count > 0 ? $"known here: {string.Join(", ", known)}" : "check the name against `segalign train --print-config`"));
        }
        var target = TypeAt(root, field);
        string got = ValueAt(json, field) is { } value ? $", got {Shorten(value)}" : "";
        if (target is not null)
            return new Problem(field.Length > 0 ? field : "the config", $"expects {Words(target)}{got}", $"write {Example(target)}");
        // A syntax error: keep the reader's own words without its internals.
        string text = e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].Replace("'", "", StringComparison.Ordinal).TrimEnd('.', ' ');
        return new Problem(field.Length > 0 ? field : "the config", $"is not valid JSON ({text})", "fix the syntax (strings need double quotes)");
    }

    /// <summary>The CLR type of a dotted path below <paramref name="root"/> (null when it leaves the known types).</summary>
    public static Type? TypeAt(Type root, string field)
    {
        var type = root;
        if (field.Length == 0) return type;
        foreach (var part in field.Split('.'))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (Element(type) is { } element && int.TryParse(part, out _)) { type = element; continue; }
            var property = Properties(type).FirstOrDefault(p => string.Equals(p.Name, part, StringComparison.OrdinalIgnoreCase));
            if (property is null) return null;
            type = property.PropertyType;
        }
        return type;
    }

    public static string Words(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return $"{Words(inner)} (or null)";
        if (type == typeof(int) || type == typeof(long)) return "a whole number";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a string in double quotes";
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type).Select(n => $"\"{Camel(n)}\""))}";
        if (type == typeof(JsonObject)) return "an object";
        if (Element(type) is { } element) return $"a list of {Plural(Words(element))}";
        return "an object";
    }

    static string Example(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return "e.g. 16";
        if (type == typeof(double) || type == typeof(float)) return "e.g. 0.01";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "e.g. \"fpn\"";
        if (type.IsEnum) return $"e.g. \"{Camel(Enum.GetNames(type)[0])}\"";
        if (Element(type) is not null) return "e.g. [1, 2]";
        return "an object such as {\"key\": value}, as `segalign train --print-config` shows";
    }

    static string Plural(string words) => words.StartsWith("a ", StringComparison.Ordinal) ? words[2..] + "s" : words;

    static Type? Element(Type type) =>
        type.IsArray ? type.GetElementType()
        : type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType && type.GetGenericArguments().Length == 1 ? type.GetGenericArguments()[0]
        : null;

    static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.IsPrimitive || type == typeof(string) || type.IsEnum || Element(type) is not null
            ? [] : type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0);

    static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    static string? ValueAt(string json, string field)
    {
        try
        {
            JsonNode? node = JsonNode.Parse(json);
            foreach (var part in field.Length == 0 ? [] : field.Split('.'))
                node = node switch
                {
                    JsonObject o => o.FirstOrDefault(p => string.Equals(p.Key, part, StringComparison.OrdinalIgnoreCase)).Value,
                    JsonArray a when int.TryParse(part, out int i) && i >= 0 && i < a.Count => a[i],
                    _ => null,
                };
            return node?.ToJsonString();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "…";

    /// <summary>The known name closest to <paramref name="name"/> (edit distance ≤ a third of its length, at least 2), if any.</summary>
    public static string? Nearest(string name, IEnumerable<string> known) =>
        known.Select(k => (Name: k, Distance: Distance(name.ToLowerInvariant(), k.ToLowerInvariant())))
            .Where(k => k.Distance <= Math.Max(2, name.Length / 3)).OrderBy(k => k.Distance).Select(k => k.Name).FirstOrDefault();

    static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
