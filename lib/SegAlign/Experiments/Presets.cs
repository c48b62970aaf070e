using System.Text.Json;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Platform;
using SegAlign.Training;

namespace SegAlign.Experiments;

/// <summary>
/// The shared baseline run config per preset, read from experiments/baseline.json:
/// smoke (seconds, CI), quick (minutes), full (the CPU reproduction on FashionScenes, protocol v3), v2 and v1 (the
/// earlier protocols, kept with their committed results so that the change of conclusions stays visible), paper (the papers' recipe).
/// </summary>
public static class Presets
{
    /// <summary>The presets baseline.json defines, in its order: the one list every command and check uses.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            var (all, _) = ReadBaselineFile();
            return all["presets"] is JsonObject presets ? [.. presets.Select(p => p.Key)] : [];
        }
    }

    /// <summary>What a preset is, from baseline.json's "presetDescriptions" ("" when it gives none).</summary>
    public static string Describe(string preset)
    {
        var (all, _) = ReadBaselineFile();
        return all["presetDescriptions"]?[preset]?.GetValue<string>() ?? "";
    }

    /// <summary>"smoke (…), quick (…), …": the allowed values with what each is, for help texts.</summary>
    public static string Catalog() => string.Join("; ", Names.Select(n => Describe(n) is { Length: > 0 } d ? $"{n} ({d})" : n));

    /// <summary>The preset named, or a one-line error listing the allowed ones (<paramref name="field"/> names where it came from).</summary>
    public static string Check(string preset, string field = "preset") =>
        Names.Contains(preset) ? preset : throw new InputException(field, $"unknown preset '{preset}'", $"use one of: {string.Join(", ", Names)}");

    /// <summary>The repository's experiments/ folder (see <see cref="Repository.Root"/>).</summary>
    public static string ExperimentsFolder => Path.Combine(Repository.Root, "experiments");

    public static string RepositoryRoot => Repository.Root;

    /// <summary>The preset's baseline config as JSON (a fresh copy).</summary>
    public static JsonObject BaselineJson(string preset)
    {
        var (all, file) = ReadBaselineFile();
        var presets = all["presets"]?.AsObject() ?? throw new InputException(file, "has no \"presets\" object", "restore it from the repository");
        if (presets[preset] is not JsonObject config)
            throw new InputException("preset", $"unknown preset '{preset}'", $"use one of: {string.Join(", ", presets.Select(p => p.Key))}");
        return (JsonObject)config.DeepClone();
    }

    /// <summary>
    /// How many of an experiment's seeds the preset runs when none are chosen (baseline.json "seedCount"; null = all).
    /// The quick preset trains fewer, longer runs so its tables show the shape of the results.
    /// </summary>
    public static int? SeedCount(string preset)
    {
        var (all, file) = ReadBaselineFile();
        var node = all["seedCount"]?[preset];
        if (node is null) return null;
        int count = node.GetValue<int>();
        return count >= 1 ? count : throw new InputException($"{file}: seedCount.{preset}", $"must be ≥ 1, got {count}", "use 1 or more, or remove it");
    }

    static (JsonObject All, string File) ReadBaselineFile()
    {
        string file = Path.Combine(ExperimentsFolder, "baseline.json");
        try
        {
            var all = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })?.AsObject()
                      ?? throw new InputException(file, "is empty", "restore it from the repository");
            return (all, file);
        }
        catch (JsonException e)
        {
            throw new InputException(file, $"is not valid JSON ({e.Message})", "fix the syntax or restore it from the repository");
        }
    }

    public static RunConfig Baseline(string preset) =>
        RunConfig.FromJson(BaselineJson(preset).ToJsonString(), $"experiments/baseline.json presets.{preset}");
}
