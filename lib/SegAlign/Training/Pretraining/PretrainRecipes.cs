using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Platform;

namespace SegAlign.Training;

/// <summary>
/// Pretraining recipes (experiments/pretraining/&lt;name&gt;.json) and the reference a run config uses for their
/// result: <c>model.backboneWeights = "pretrain:&lt;name&gt;"</c>. Resolving a config pins the reference to the recipe's
/// hash (<c>pretrain:&lt;name&gt;@&lt;hash&gt;</c>), so a changed recipe re-keys every run that loads it.
/// </summary>
public static class PretrainRecipes
{
    public const string Prefix = "pretrain:";

    public static string Folder => Path.Combine(Repository.Root, "experiments", "pretraining");

    public static IReadOnlyList<string> Available() =>
        Directory.Exists(Folder) ? [.. Directory.EnumerateFiles(Folder, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)] : [];

    public static PretrainConfig Load(string name)
    {
        string Known() => Available() is { Count: > 0 } names ? $"use one of: {string.Join(", ", names)}" : $"add a recipe to {Folder}";
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(['/', '\\', '.', ':', '@']) >= 0 || name.Trim() != name)
            throw new InputException("pretraining recipe", $"'{name}' is not a plain recipe name", Known());
        string file = Path.Combine(Folder, name + ".json");
        if (!File.Exists(file)) throw new InputException("pretraining recipe", $"unknown recipe '{name}'", Known());
        PretrainConfig recipe;
        try
        {
            recipe = JsonSerializer.Deserialize<PretrainConfig>(File.ReadAllText(file), Json.StrictOptions)
                     ?? throw new InputException(file, "is empty", "restore it from the repository");
        }
        catch (JsonException e)
        {
            throw new InputException(file, $"is not a valid pretraining recipe ({e.Message})", "compare it with experiments/pretraining/fashion-objects.json");
        }
        if (recipe.Name != name) throw new InputException($"{file}: name", $"is '{recipe.Name}' but the file is {name}.json", $"set \"name\": \"{name}\"");
        recipe.Validate(file);
        return recipe;
    }

    /// <summary>SHA-256 (first 12 hex digits) of the recipe without its [NotHashed] settings.</summary>
    public static string Hash(PretrainConfig recipe)
    {
        var node = (JsonObject)JsonSerializer.SerializeToNode(recipe, Json.Options)!;
        foreach (var property in typeof(PretrainConfig).GetProperties())
            if (property.GetCustomAttributes(typeof(NotHashedAttribute), false).Length > 0) node.Remove(JsonNamingPolicy.CamelCase.ConvertName(property.Name));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Json.Canonical(node))))[..12];
    }

    public static bool IsReference(string? weights) => weights?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    /// <summary>The recipe name and pinned hash of a reference ("pretrain:name" pins the recipe's current hash).</summary>
    public static (string Name, string Hash) Parse(string reference)
    {
        string body = reference[Prefix.Length..];
        int at = body.IndexOf('@');
        string name = at < 0 ? body : body[..at];
        var recipe = Load(name);
        return (name, at < 0 ? Hash(recipe) : body[(at + 1)..]);
    }

    /// <summary>"pretrain:name" → "pretrain:name@hash"; anything else unchanged.</summary>
    public static string? Pin(string? weights)
    {
        if (!IsReference(weights)) return weights;
        var (name, hash) = Parse(weights!);
        return $"{Prefix}{name}@{hash}";
    }
}

