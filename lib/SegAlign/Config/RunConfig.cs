using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegAlign.Config;

/// <summary>
/// A complete, hashable description of one training run (the seed is kept apart: run key = hash + seed).
/// Checking it against the registries and resolving decoder defaults happen above the model and data layers
/// (<c>SegAlign.Training.RunConfigRules</c>): this floor knows no model and no dataset.
/// </summary>
public sealed record RunConfig
{
    public DataConfig Data { get; init; } = new();
    public ModelConfig Model { get; init; } = new();
    public TrainConfig Train { get; init; } = new();

    /// <summary>SHA-256 (first 12 hex digits) of a resolved config without the [NotHashed] settings.</summary>
    public static string HashOf(JsonObject resolved)
    {
        var node = (JsonObject)resolved.DeepClone();
        RemoveNotHashed(node, typeof(RunConfig));
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(Json.Canonical(node)));
        return Convert.ToHexStringLower(bytes)[..12];
    }

    static void RemoveNotHashed(JsonObject node, Type type)
    {
        foreach (var property in type.GetProperties())
        {
            string name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (property.GetCustomAttributes(typeof(NotHashedAttribute), false).Length > 0) node.Remove(name);
            else if (property.GetCustomAttributes(typeof(HashedWhenSetAttribute), false).Length > 0 && node[name] is null) node.Remove(name);
            else if (node[name] is JsonObject child && property.PropertyType.IsClass && property.PropertyType != typeof(JsonObject)
                     && property.PropertyType.Namespace?.StartsWith("SegAlign", StringComparison.Ordinal) == true)
                RemoveNotHashed(child, property.PropertyType);
        }
    }

    // A null where the type has no null ("dataset": null) is refused while parsing, naming the field, not later as a crash.
    static readonly JsonSerializerOptions configOptions = new(Json.StrictOptions) { RespectNullableAnnotations = true };

    /// <param name="json">The config as JSON.</param>
    /// <param name="where">Where the JSON came from (a file, a preset).</param>
    /// <param name="blame">Who set which dotted path (e.g. "train.batchSize" → "--set"): a bad value is blamed on them, not on <paramref name="where"/>.</param>
    public static RunConfig FromJson(string json, string where, IReadOnlyDictionary<string, string>? blame = null)
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(json, configOptions)
                   ?? throw new InputException(where, "is empty", "write a JSON object");
        }
        catch (JsonException e)
        {
            var problem = JsonErrors.Describe(e, typeof(RunConfig), json);
            string? culprit = blame?.FirstOrDefault(b => problem.Field.Equals(b.Key, StringComparison.OrdinalIgnoreCase)
                                                        || problem.Field.StartsWith(b.Key + ".", StringComparison.OrdinalIgnoreCase)).Value;
            throw new InputException($"{culprit ?? where}: {problem.Field}", problem.What, problem.Fix);
        }
    }
}
