using System.CommandLine;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Experiments;
using SegAlign.Training;

namespace SegAlign.Cli;

/// <summary>The options that resolve a run config: a preset (or a config file), shortcuts for common fields, and --set overrides.</summary>
public sealed class RunConfigOptions
{
    public readonly Option<string> Preset = new("--preset") { Description = "Baseline preset from experiments/baseline.json: smoke, quick, full, paper.", DefaultValueFactory = _ => "quick" };
    public readonly Option<FileInfo?> ConfigFile = new("--config") { Description = "A run config JSON file (replaces the preset; see --print-config for the format)." };
    public readonly Option<string?> Decoder = new("--decoder") { Description = "Decoder name (shortcut for --set model.decoder=NAME)." };
    public readonly Option<string?> Backbone = new("--backbone") { Description = "Backbone name (shortcut for --set model.backbone=NAME)." };
    public readonly Option<int?> Iterations = new("--iterations") { Description = "Training iterations (shortcut for --set train.iterations=N)." };
    public readonly Option<string?> DataRoot = new("--data-root") { Description = "Dataset folder (shortcut for --set data.root=PATH)." };
    public readonly Option<string[]> Set = new("--set") { Description = "Override any config field: path=value (JSON values), e.g. --set train.batchSize=8 --set model.decoderOptions.levels=[2]. Repeatable.", AllowMultipleArgumentsPerToken = false };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Preset, ConfigFile, Decoder, Backbone, Iterations, DataRoot, Set }) command.Add(option);
    }

    public RunConfig Resolve(ParseResult parse)
    {
        var file = parse.GetValue(ConfigFile);
        JsonObject baseJson;
        if (file is not null)
        {
            // An explicit --preset next to --config would otherwise be ignored without a word.
            if (parse.GetResult(Preset) is { Implicit: false })
                throw new InputException("--preset", "cannot be combined with --config (the config file replaces the preset)", "pass either --config FILE or --preset NAME");
            if (!file.Exists) throw new InputException(file.FullName, "does not exist", "pass an existing run config JSON file");
            baseJson = ReadConfigFile(file.FullName);
        }
        else baseJson = Presets.BaselineJson(parse.GetValue(Preset)!);

        var assignments = new List<string>();
        if (parse.GetValue(Decoder) is { } decoder) assignments.Add($"model.decoder=\"{decoder}\"");
        if (parse.GetValue(Backbone) is { } backbone) assignments.Add($"model.backbone=\"{backbone}\"");
        if (parse.GetValue(Iterations) is { } iterations) assignments.Add($"train.iterations={iterations}");
        if (parse.GetValue(DataRoot) is { } root) assignments.Add($"data.root={JsonValue.Create(root)!.ToJsonString()}");
        assignments.AddRange(parse.GetValue(Set) ?? []);
        var overrides = ConfigOverrides.Parse(assignments);
        ConfigOverrides.Apply(baseJson, overrides, "--set");
        // A preset plus --decoder gets that decoder's registry defaults (DeepLabV3: output stride 8), as experiments do,
        // unless an option set the path; a config file is taken as written.
        if (file is null) ExperimentPlan.ApplyDecoderDefaults(baseJson, overrides.Keys);
        var config = RunConfig.FromJson(baseJson.ToJsonString(), file?.FullName ?? $"preset {parse.GetValue(Preset)}", overrides.ToDictionary(o => o.Key, _ => "--set"));
        config.Validate();
        return config;
    }

    /// <summary>A run config file, or a run folder's own config.json (whose run config sits under "config", beside its hash and seed).</summary>
    static JsonObject ReadConfigFile(string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InputException(path, $"is not valid JSON ({e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.', ' ')})", "fix the syntax, or start from `segalign train --print-config`");
        }
        if (node is not JsonObject json) throw new InputException(path, "is not a JSON object", "start from `segalign train --print-config`");
        if (json["configHash"] is not null && json["config"] is JsonObject runConfig) return (JsonObject)runConfig.DeepClone();
        return json;
    }
}
