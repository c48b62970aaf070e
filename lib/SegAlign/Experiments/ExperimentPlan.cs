using SegAlign.Platform;
using System.Text.Json.Nodes;
using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Training;

namespace SegAlign.Experiments;

/// <summary>One (experiment, variant, seed) with its resolved config. Runs are keyed by config hash + seed,
/// so the same run reached from several experiments (the baseline) is trained once.</summary>
public sealed record PlannedRun(string Experiment, string Variant, int Seed, RunConfig Config, string Hash)
{
    public string Key => $"{Hash}-s{Seed}";
}

/// <summary>Turns an experiment definition and a preset into the runs it needs, validating everything first.</summary>
public static class ExperimentPlan
{
    /// <summary>
    /// Resolves every (variant, seed): preset baseline → the experiment's preset adjustments → the variant's
    /// differences → the user's overrides, then the chosen decoder's registry defaults wherever none of those set them. Fails before any training on a bad name, an invalid config, or an
    /// override that contradicts what a variant sets.
    /// </summary>
    public static IReadOnlyList<PlannedRun> Resolve(ExperimentDefinition experiment, string preset,
        IReadOnlyDictionary<string, JsonNode?>? overrides = null, IEnumerable<int>? seeds = null, IEnumerable<string>? variants = null)
    {
        overrides ??= new Dictionary<string, JsonNode?>();
        if (!experiment.IsDefinedAt(preset))
            throw new InputException("preset", $"experiment {experiment.Name} is defined only at {string.Join(", ", experiment.RunsAt!.Presets)}: {experiment.RunsAt.Reason}",
                $"run it at preset {experiment.RunsAt.Presets[0]}");
        var chosenVariants = variants?.Select(experiment.Variant).ToList() ?? [.. experiment.VariantsAt(preset)];
        foreach (var variant in chosenVariants.Where(v => !v.IsDefinedAt(preset)))
            throw new InputException("variants", $"variant {variant.Name} of {experiment.Name} is planned only at {string.Join(", ", variant.RunsAt!.Presets)}: {variant.RunsAt.Reason}",
                $"run it at preset {variant.RunsAt.Presets[0]}, or leave it out of the variants");
        var runs = new List<PlannedRun>();
        foreach (var variant in chosenVariants)
        {
            foreach (var (path, value) in overrides)
                if (variant.Set.TryGetValue(path, out var own) && !JsonNode.DeepEquals(own, value))
                    throw new InputException("--set", $"{path}={value?.ToJsonString()} contradicts variant '{variant.Name}' of {experiment.Name}, which sets it to {own?.ToJsonString()}",
                        "drop that override, or run the variants that do not set it (--variants)");
            var json = Presets.BaselineJson(preset);
            string where = $"experiments/{experiment.Name}.json variant {variant.Name} (preset {preset})";
            if (experiment.Presets.TryGetValue(preset, out var adjustments)) ConfigOverrides.Apply(json, adjustments, where);
            ConfigOverrides.Apply(json, variant.Set, where);
            if (variant.Presets.TryGetValue(preset, out var atPreset)) ConfigOverrides.Apply(json, atPreset, where);
            ConfigOverrides.Apply(json, overrides, "--set");
            var blame = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var key in (adjustments?.Keys ?? Enumerable.Empty<string>()).Concat(variant.Set.Keys).Concat(atPreset?.Keys ?? Enumerable.Empty<string>())) blame[key] = where;
            foreach (var key in overrides.Keys) blame[key] = "--set";
            foreach (var key in ApplyDecoderDefaults(json, blame.Keys)) blame[key] = $"{where}: the registry defaults of its decoder";
            var config = RunConfig.FromJson(json.ToJsonString(), $"experiments/baseline.json presets.{preset}", blame);
            try
            {
                config.Validate();
            }
            catch (InputException e) when (config.Data.Dataset == "fashion-scenes" || !e.Where.StartsWith("data.", StringComparison.Ordinal))
            {
                string culprit = blame.FirstOrDefault(b => e.Where.Equals(b.Key, StringComparison.OrdinalIgnoreCase) || e.Where.StartsWith(b.Key + ".", StringComparison.OrdinalIgnoreCase)).Value ?? where;
                throw new InputException($"{culprit}: {e.Where}", e.Problem, e.Fix);
            }
            string hash = config.Hash();
            var chosenSeeds = seeds?.ToArray() ?? DefaultSeeds(experiment, preset, variant.Name).ToArray();
            runs.AddRange(chosenSeeds.Select(seed => new PlannedRun(experiment.Name, variant.Name, seed, config, hash)));
        }
        return runs;
    }

    /// <summary>A decoder at its registry defaults on a preset's baseline (what `segalign bench` measures); optionally another scene size.</summary>
    public static RunConfig ConfigForDecoder(string decoder, string preset, int? size)
    {
        DecoderRegistry.Get(decoder);
        var alone = new ExperimentDefinition
        {
            Name = "bench", Title = "bench", Seeds = [0], Baseline = decoder,
            Variants = [new VariantDefinition { Name = decoder, Set = new() { ["model.decoder"] = JsonValue.Create(decoder) } }],
        };
        var overrides = size is int s ? ConfigOverrides.Parse([$"data.fashionScenes.size={s}"]) : null;
        return Resolve(alone, preset, overrides).Single().Config;
    }

    /// <summary>Sets the chosen decoder's defaults (e.g. DeepLabV3's output stride 8) on every path no layer set explicitly; returns the paths it set.</summary>
    public static IReadOnlyList<string> ApplyDecoderDefaults(JsonObject json, IEnumerable<string> explicitPaths)
    {
        if (json["model"]?["decoder"] is not JsonValue name || !name.TryGetValue<string>(out var decoder) || !DecoderRegistry.Contains(decoder)) return [];
        var set = explicitPaths.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var defaults = DecoderRegistry.Get(decoder).Defaults.AsSettings().Where(d => !set.Contains(d.Key)).ToDictionary();
        ConfigOverrides.Apply(json, defaults, $"the registry defaults of decoder {decoder}");
        return defaults.Keys.ToList();
    }

    /// <summary>The seeds a preset runs when none are chosen — one rule for `ablation run` and the notebooks' Study:
    /// the first baseline.json "seedCount" of the experiment's seeds, or all of them.</summary>
    public static IReadOnlyList<int> DefaultSeeds(ExperimentDefinition experiment, string preset) =>
        Presets.SeedCount(preset) is int count ? experiment.Seeds.Take(count).ToArray() : experiment.Seeds;

    /// <summary>A variant's seeds: every default seed for an arm of a paper claim, the first
    /// <see cref="ExperimentDefinition.DiagnosticSeeds"/> of them for a variant that only diagnostics compare.</summary>
    public static IReadOnlyList<int> DefaultSeeds(ExperimentDefinition experiment, string preset, string variant)
    {
        var seeds = DefaultSeeds(experiment, preset);
        return experiment.DiagnosticSeeds is int n && !experiment.IsClaimArm(variant) ? seeds.Take(n).ToArray() : seeds;
    }

    /// <summary>Checks that no existing run folder under a planned key holds a different run (nothing is overwritten).</summary>
    public static void CheckExisting(ResultsStore store, IEnumerable<PlannedRun> runs)
    {
        foreach (var run in runs)
        {
            var identity = store.Folder(run).ReadIdentity();
            if (identity is { } id && (id.Hash != run.Hash || id.Seed != run.Seed))
                throw new InputException(store.Folder(run).ConfigFile, $"holds config {id.Hash} seed {id.Seed}, not the planned {run.Hash} seed {run.Seed}",
                    "move that folder away; nothing was trained or overwritten");
        }
    }
}
