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
            if (!file.Exists) throw new InputException(file.FullName, "does not exist", "pass an existing run config JSON file");
            baseJson = JsonNode.Parse(File.ReadAllText(file.FullName))?.AsObject() ?? new JsonObject();
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
        var config = RunConfig.FromJson(baseJson.ToJsonString(), file?.FullName ?? $"preset {parse.GetValue(Preset)}");
        config.Validate();
        return config;
    }
}
