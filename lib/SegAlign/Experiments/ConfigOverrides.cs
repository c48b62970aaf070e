using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Training;

namespace SegAlign.Experiments;

/// <summary>
/// Dotted-path overrides on a run config ("train.iterations=200", "model.decoderOptions.levels=[1,2]").
/// Values are JSON when they parse as JSON, strings otherwise. The same path given twice with different
/// values is a contradiction and an error.
/// </summary>
public static class ConfigOverrides
{
    public static IReadOnlyDictionary<string, JsonNode?> Parse(IEnumerable<string> assignments, string where = "--set")
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
        foreach (var assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new InputException(where, $"'{assignment}' is not of the form path=value", "write e.g. train.iterations=200");
            string path = assignment[..eq].Trim(), text = assignment[(eq + 1)..].Trim();
            var value = ParseValue(text);
            if (result.TryGetValue(path, out var previous) && !JsonNode.DeepEquals(previous, value))
                throw new InputException(where, $"{path} is set twice, to {previous?.ToJsonString() ?? "null"} and {value?.ToJsonString() ?? "null"}", "give each setting once");
            result[path] = value;
        }
        return result;
    }

    public static JsonNode? ParseValue(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return JsonValue.Create(text); }
    }

    /// <summary>Applies overrides to a config (as JSON) and parses the result strictly.</summary>
    public static RunConfig Apply(RunConfig config, IReadOnlyDictionary<string, JsonNode?> overrides, string where = "--set")
    {
        if (overrides.Count == 0) return config;
        var node = (JsonObject)JsonSerializer.SerializeToNode(config, Json.Options)!;
        Apply(node, overrides, where);
        return RunConfig.FromJson(node.ToJsonString(), where);
    }

    public static void Apply(JsonObject node, IReadOnlyDictionary<string, JsonNode?> overrides, string where)
    {
        foreach (var (path, value) in overrides)
        {
            var parts = path.Split('.');
            JsonObject target = node;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                var key = FindKey(target, parts[i]) ?? parts[i];
                if (target[key] is not JsonObject child)
                {
                    if (target[key] is not null)
                        throw new InputException(where, $"{string.Join('.', parts[..(i + 1)])} is a value, so {path} cannot be set", "check the path against `segalign train --print-config`");
                    child = new JsonObject();
                    target[key] = child;
                }
                target = child;
            }
            target[FindKey(target, parts[^1]) ?? parts[^1]] = value?.DeepClone();
        }
    }

    static string? FindKey(JsonObject node, string name) => node.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
}
