using System.Text.Json.Nodes;

namespace SegAlign.Notebooks;

/// <summary>nbformat's "multiline string": one string, or an array of lines that each keep their "\n".</summary>
static class NbText
{
    public static string JoinLines(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(line => line?.GetValue<string>() ?? "")),
        JsonValue value when value.TryGetValue(out string? text) => text,
        _ => node.ToJsonString(),
    };

    public static JsonArray ToLines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int newline = text.IndexOf('\n', start);
            int end = newline < 0 ? text.Length : newline + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }

    public static string RequiredString(JsonObject json, string key, string where) =>
        json[key] is JsonValue value && value.TryGetValue(out string? text)
            ? text
            : throw new InputException(where, $"has no \"{key}\" string", "the notebook is not valid nbformat 4; re-save it from VS Code or JupyterLab");

    /// <summary>A copy with every object's keys in ordinal order, as Jupyter writes notebooks (so diffs stay small).</summary>
    public static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>The first non-blank line, shortened: how messages name a cell.</summary>
    public static string FirstLine(string source)
    {
        string line = source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(empty)";
        return line.Length > 60 ? line[..57] + "…" : line;
    }
}
