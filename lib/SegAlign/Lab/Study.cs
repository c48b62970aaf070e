using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using SegAlign.Data;
using SegAlign.Evaluation;
using SegAlign.Experiments;
using SegAlign.Measurement;
using SegAlign.Models;
using SegAlign.Platform;
using SegAlign.Training;
using SegAlign.Visualisation;
using TorchSharp;

namespace SegAlign.Lab;

/// <summary>
/// What a notebook works with: one experiment (experiments/&lt;name&gt;.json) at one preset, its results
/// (results/&lt;preset&gt;/runs/…), the trained models behind them and the validation scenes. A thin layer over
/// <see cref="ExperimentPlan"/>, <see cref="ExperimentRunner"/>, <see cref="ExperimentSummary"/> and <see cref="Trainer"/>,
/// so notebooks hold calls only. Progress goes to the console (a notebook cell's output).
/// </summary>
public sealed class Study
{
    readonly IReadOnlyDictionary<string, JsonNode?> overrides;
    readonly string scratchRoot;
    List<RunRow>? runs;
    ISegmentationDataset? validation;

    Study(ExperimentDefinition definition, string preset, IReadOnlyList<int> seeds, IReadOnlyDictionary<string, JsonNode?> overrides, ResultsStore store, string scratchRoot)
    {
        Definition = definition;
        Preset = preset;
        Seeds = seeds;
        this.overrides = overrides;
        Store = store;
        this.scratchRoot = scratchRoot;
        Plan = ExperimentPlan.Resolve(definition, preset, overrides, seeds);
    }

    /// <summary>
    /// Opens experiment <paramref name="experiment"/> at <paramref name="preset"/> and reads whatever results exist
    /// (nothing is trained here; see <see cref="Ensure"/>).
    /// </summary>
    /// <param name="seeds">How many of the experiment's seeds to use (default or 0: as many as `ablation run` takes at this preset; more than the
    /// experiment lists continue the sequence).</param>
    /// <param name="overrides">Config overrides for every variant, "path=value" (e.g. "train.iterations=2").</param>
    /// <param name="results">Results root (default: $SEGALIGN_RESULTS, else the repository's results/).</param>
    /// <param name="scratch">Where models whose checkpoints are missing are retrained (default: $SEGALIGN_SCRATCH,
    /// else results/scratch/lab/, which git ignores).</param>
    public static Study Open(string experiment, string preset = "full", int? seeds = null, IEnumerable<string>? overrides = null,
        string? results = null, string? scratch = null)
    {
        Presets.Check(preset);
        var definition = ExperimentDefinition.Load(experiment);
        if (seeds is < 0) throw new InputException("seeds", $"must be ≥ 0 (0 = the preset's count), got {seeds}", $"use 1..{definition.Seeds.Length} (the experiment lists {string.Join(", ", definition.Seeds)}), or 0");
        if (seeds is null or 0) seeds = ExperimentPlan.DefaultSeeds(definition, preset).Count;
        var chosen = definition.Seeds.ToList();
        while (seeds is int n && chosen.Count < n) chosen.Add(chosen.Max() + 1);
        if (seeds is int count) chosen = chosen.Take(count).ToList();
        string? resultsRoot = results ?? (Environment.GetEnvironmentVariable("SEGALIGN_RESULTS") is { Length: > 0 } r ? r : null);
        string scratchRoot = scratch ?? (Environment.GetEnvironmentVariable("SEGALIGN_SCRATCH") is { Length: > 0 } s ? s : Path.Combine(Presets.RepositoryRoot, "results", "scratch", "lab"));
        return new Study(definition, preset, chosen, ConfigOverrides.Parse(overrides ?? [], "overrides"), ResultsStore.ForPreset(preset, resultsRoot), scratchRoot);
    }

    public ExperimentDefinition Definition { get; }
    public string Name => Definition.Name;
    public string Preset { get; }
    public IReadOnlyList<int> Seeds { get; }
    public ResultsStore Store { get; }

    /// <summary>Every (variant, seed) of this study with its resolved config.</summary>
    public IReadOnlyList<PlannedRun> Plan { get; }

    /// <summary>The variants planned at this preset.</summary>
    public IReadOnlyList<string> Variants => Definition.VariantsAt(Preset).Select(v => v.Name).ToList();

    /// <summary>Planned runs that have not finished (no metrics.json yet).</summary>
    public IReadOnlyList<PlannedRun> Missing => Plan.Where(r => !Store.Folder(r).IsComplete).ToList();

    /// <summary>The finished runs, one row each (metrics, and latency when measured).</summary>
    public IReadOnlyList<RunRow> Runs => runs ??= ExperimentRunner.Rows(Plan, Store, LatencyCache.Load(Store));

    /// <summary>The paper-style summary: mean ± std per variant, paired tests against the baseline, the claims checked.</summary>
    public ExperimentSummary Summary => ExperimentSummary.From(Definition, Preset, Runs, Plan.Count);

    /// <summary>The summary as a DataFrame (one row per variant).</summary>
    public DataFrame Table => Summary.ToDataFrame();

    /// <summary>The tidy table: one row per finished run, per-class IoU included.</summary>
    public DataFrame RunsTable => ResultsTable.Build(Runs);

    /// <summary>The variant with the highest mean mIoU among those finished.</summary>
    public string Best => Summary.Variants.OrderByDescending(v => v.MeanIoU.Mean).FirstOrDefault()?.Variant
                          ?? throw new InputException(Name, "has no finished runs", "call Ensure(rerun: true) first");

    /// <summary>The variant other than the baseline with the highest mean mIoU: the baseline's strongest challenger.</summary>
    public string BestChallenger => Summary.Variants.Where(v => v.Variant != Definition.Baseline).OrderByDescending(v => v.MeanIoU.Mean).FirstOrDefault()?.Variant
                                    ?? throw new InputException(Name, "has no finished run besides the baseline", "call Ensure(rerun: true) first");

    /// <summary>Whether every variant has a measured latency in results/&lt;preset&gt;/latency.csv.</summary>
    public bool HasLatency => Plan.Select(r => r.Hash).Distinct().All(LatencyCache.Load(Store).ContainsKey);

    static TextWriter Log => Console.Out;

    /// <summary>A path as messages show it: relative to the repository when inside it, so executed notebooks do not
    /// record where one machine keeps its checkout.</summary>
    public static string Shown(string path) => SafePaths.Shown(path);

    /// <summary>
    /// Makes the results usable: with <paramref name="rerun"/>, or when none of the study's runs exist yet, trains the
    /// missing ones (<see cref="Rerun"/>); otherwise reports what is missing and works with what exists. With
    /// <paramref name="latency"/> also measures inference latency for variants that have none. Returns this study.
    /// </summary>
    public Study Ensure(bool rerun = false, bool latency = false)
    {
        var missing = Missing;
        int done = Plan.Count - missing.Count;
        if (missing.Count == 0) Log.WriteLine($"{Name} at preset {Preset}: all {Plan.Count} runs are in {Shown(Store.Root)}.");
        else if (rerun || done == 0)
        {
            Log.WriteLine(rerun
                ? $"{Name} at preset {Preset}: {done} of {Plan.Count} runs exist; training the {missing.Count} missing (rerun = true)."
                : $"{Name} at preset {Preset}: no results in {Shown(Store.Root)} yet; training all {missing.Count} runs.");
            Rerun();
        }
        else Log.WriteLine($"{Name} at preset {Preset}: {missing.Count} of {Plan.Count} runs are missing; showing the {done} that exist. " +
                           $"Set rerun = true to train the rest (or: environment/segalign ablation run {Name} --preset {Preset}).");
        // Latency is read from results/<preset>/latency.csv; timing here, on a machine the notebook may share with other
        // work, only when asked (a reading that does not settle is reported and never stored).
        if (latency && !HasLatency)
        {
            if (rerun) MeasureLatency();
            else Log.WriteLine($"{Name} at preset {Preset}: latency is not measured yet for every variant, so the latency chart shows those that have one. " +
                               $"Measure it on an idle machine: environment/segalign bench --latency-for {Name} --preset {Preset} (or set rerun = true to measure here).");
        }
        return this;
    }

    /// <summary>
    /// Trains the missing runs of <paramref name="seeds"/> (default: all the study's seeds) in this process, one at a
    /// time on one libtorch thread (as `segalign ablation run` does per job, so the numbers are the same), then
    /// refreshes the experiment's summary files. Finished runs are kept: runs are keyed by config hash and seed.
    /// </summary>
    public SweepResult Rerun(params int[] seeds)
    {
        var chosen = seeds.Length == 0 ? Plan : Plan.Where(r => seeds.Contains(r.Seed)).ToList();
        var sweep = ExperimentRunner.Run(chosen, Store, new InProcessExecutor(), jobs: 1, threadsPerJob: 1, new ImmediateProgress<RunEvent>(Report));
        Log.WriteLine($"{sweep.AlreadyDone} already done, {sweep.Trained} trained, {sweep.Failures.Count} failed.");
        foreach (var (run, error) in sweep.Failures) Log.WriteLine($"FAILED {run.Variant} seed {run.Seed} ({run.Key}): {error}");
        runs = null;
        ExperimentResults.Collect(Preset, Store, [Name], overrides);
        if (sweep.Failures.Count > 0)
            throw new InvalidOperationException($"{sweep.Failures.Count} run(s) of {Name} failed; see the messages above");
        return sweep;
    }

    static void Report(RunEvent e)
    {
        string name = $"{e.Run.Variant} seed {e.Run.Seed} ({e.Run.Key})";
        if (e.Status == "started") Log.WriteLine($"[{e.Elapsed:hh\\:mm\\:ss}] training {name} …");
        else if (e.Metrics is { } m)
            Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{e.Elapsed:hh\\:mm\\:ss}] {e.Finished}/{e.Total} {name}: mIoU {m.MeanIoU:F2}, final loss {m.FinalLoss:F4}, {m.TrainSeconds:F0} s"));
    }

    /// <summary>Measures the inference latency (median of 30 forward passes, batch 1) of every variant that has none
    /// and stores it in results/&lt;preset&gt;/latency.csv, as `segalign bench --latency-for` does.</summary>
    public void MeasureLatency()
    {
        LatencyCache.Measure(Store, Plan, Log.WriteLine);
        runs = null;
    }

    /// <summary>The validation split every variant is scored on.</summary>
    public ISegmentationDataset Validation => validation ??= DatasetRegistry.CreateEvaluation(Plan[0].Config.Data);

    public IReadOnlyList<string> ClassNames => Validation.ClassNames;

    /// <summary>Validation scene <paramref name="index"/>, ready to draw and to feed a model.</summary>
    public Scene Sample(int index) => Scene.From(Validation, index);

    /// <summary>The planned run of <paramref name="variant"/> and <paramref name="seed"/> (default: the first seed).</summary>
    public PlannedRun Run(string variant, int? seed = null)
    {
        Definition.Variant(variant);
        int s = seed ?? Seeds[0];
        return Plan.FirstOrDefault(r => r.Variant == variant && r.Seed == s)
               ?? throw new InputException("seed", $"{s} is not among this study's seeds ({string.Join(", ", Seeds)})", "open the study with more seeds, or pick one of those");
    }

    /// <summary>
    /// The trained model of <paramref name="variant"/> and <paramref name="seed"/>, in evaluation mode: loaded from the
    /// run's checkpoint.ckpt when it is there; checkpoints are not committed, so otherwise the run is retrained
    /// deterministically into the scratch folder (see <see cref="Reproduce"/>) and loaded from there.
    /// </summary>
    public Segmentor Model(string variant, int? seed = null)
    {
        var run = Run(variant, seed);
        var folder = RequireComplete(run);
        if (folder.HasCheckpoint)
        {
            Log.WriteLine($"{variant} seed {run.Seed}: loading {Shown(folder.CheckpointFile)}");
            return TrainedModel.Load(folder, run.Config, run.Hash, run.Seed, run.Variant, Validation.NumClasses);
        }
        var reproduction = Reproduce(variant, run.Seed);
        return TrainedModel.Load(new RunFolder(reproduction.Folder), run.Config, run.Hash, run.Seed, run.Variant, Validation.NumClasses);
    }

    /// <summary>
    /// Retrains the run into the scratch folder (&lt;scratch&gt;/&lt;preset&gt;/&lt;key&gt;; reused when already there)
    /// with the libtorch thread count recorded in its metrics.json, and compares the final training loss with the
    /// recorded one: equal to the last bit when code, libtorch and threads match (training is deterministic).
    /// </summary>
    public Reproduction Reproduce(string variant, int? seed = null)
    {
        var run = Run(variant, seed);
        var original = RequireComplete(run);
        return Reproductions.Reproduce(run, original.ReadMetrics(), Path.Combine(scratchRoot, Preset, run.Key), Log);
    }

    RunFolder RequireComplete(PlannedRun run)
    {
        var folder = Store.Folder(run);
        if (!folder.IsComplete)
            throw new InputException($"{run.Variant} seed {run.Seed}", $"has no finished run in {folder.Path}",
                $"call Ensure(rerun: true) first, or: environment/segalign ablation run {Name} --preset {Preset}");
        return folder;
    }

    /// <summary>The confusion matrix of <paramref name="variant"/> on the validation split, summed over its finished
    /// seeds (or of one seed).</summary>
    public ConfusionMatrix Confusion(string variant, int? seed = null)
    {
        Definition.Variant(variant);
        var chosen = Plan.Where(r => r.Variant == variant && (seed is null || r.Seed == seed) && Store.Folder(r).IsComplete).ToList();
        if (chosen.Count == 0)
            throw new InputException($"{variant}{(seed is null ? "" : $" seed {seed}")}", "has no finished run", "call Ensure(rerun: true) first");
        var total = new ConfusionMatrix(Validation.NumClasses);
        foreach (var run in chosen) total.Add(Store.Folder(run).ReadConfusion(Validation.NumClasses));
        return total;
    }

    /// <summary>Training logs of the finished runs of <paramref name="variants"/> (default: all).</summary>
    public IReadOnlyList<TrainingCurve> Curves(params string[] variants) =>
        Plan.Where(r => (variants.Length == 0 || variants.Contains(r.Variant)) && Store.Folder(r).IsComplete)
            .Select(r => new TrainingCurve(r.Variant, r.Seed, Store.Folder(r).ReadLog())).ToList();

    /// <summary>The paper's claims next to what the numbers say, written from the summary.</summary>
    public Markdown Findings() => Lab.Findings.Of(Summary, Plan[0].Config);

    /// <summary>What this study is, where its results are and how complete they are.</summary>
    public Markdown Describe() => Lab.Findings.Describe(this, Plan[0].Config);
}
