using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TorchSharp;

namespace SegAlign.Experiments;

/// <summary>
/// Turns the run folders of a preset into tables: results/&lt;preset&gt;/runs.csv (every experiment, one row per
/// experiment × variant × seed) and results/&lt;preset&gt;/&lt;experiment&gt;/summary.md + summary.csv.
/// </summary>
public static class AblationResults
{
    /// <param name="warn">Told about another experiment's file that cannot be read (its rows are left out of runs.csv; the chosen experiments still get their tables).</param>
    public static IReadOnlyList<ExperimentSummary> Collect(string preset, ResultsStore store, IEnumerable<string>? experiments = null,
        IReadOnlyDictionary<string, JsonNode?>? overrides = null, Action<string>? warn = null)
    {
        var names = (experiments ?? ExperimentDefinition.Available()).ToList();
        var definitions = names.Select(ExperimentDefinition.Load).ToList();
        var plans = definitions.ToDictionary(d => d.Name, d => ExperimentPlan.Resolve(d, preset, overrides));
        var latency = LatencyCache.Load(store);
        var allRows = new List<RunRow>();
        var summaries = new List<ExperimentSummary>();
        foreach (var definition in definitions)
        {
            var rows = AblationRunner.Rows(plans[definition.Name], store, latency);
            allRows.AddRange(rows);
            var summary = ExperimentSummary.From(definition, preset, rows, plans[definition.Name].Count);
            summaries.Add(summary);
            if (rows.Count == 0) continue; // no empty summary files: nothing finished, nothing to tabulate
            string folder = store.ExperimentFolder(definition.Name);
            Directory.CreateDirectory(folder);
            AtomicFile.WriteAllText(Path.Combine(folder, "summary.md"), summary.ToMarkdown());
            ResultsTable.Save(summary.ToDataFrame(), Path.Combine(folder, "summary.csv"));
        }
        // runs.csv always covers every experiment of the preset, so collecting one experiment never drops another's rows.
        if (experiments is not null)
        {
            foreach (var other in ExperimentDefinition.Available().Except(names))
            {
                try
                {
                    allRows.AddRange(AblationRunner.Rows(ExperimentPlan.Resolve(ExperimentDefinition.Load(other), preset, overrides), store, latency));
                }
                catch (InputException e)
                {
                    warn?.Invoke($"warning: runs.csv leaves out {other}: {e.Message}");
                }
            }
        }
        if (allRows.Count > 0) ResultsTable.Save(ResultsTable.Build(allRows.OrderBy(r => r.Run.Experiment).ThenBy(r => r.Run.Variant).ThenBy(r => r.Run.Seed).ToList()), store.RunsTable);
        return summaries;
    }

    /// <summary>
    /// Writes a Slurm job-array script (one array task per pending run; each task writes only its own run folder)
    /// and its manifest; `segalign ablation collect` merges afterwards. Returns the script's path.
    /// </summary>
    public static string EmitSlurm(ExperimentDefinition experiment, string preset, ResultsStore store, IReadOnlyList<PlannedRun> planned)
    {
        var pending = planned.GroupBy(r => r.Key).Select(g => g.First()).Where(r => !store.Folder(r).IsComplete).ToList();
        string folder = store.ExperimentFolder(experiment.Name);
        string configs = Path.Combine(store.Root, "configs");
        Directory.CreateDirectory(configs);
        var manifest = new StringBuilder();
        foreach (var run in pending)
        {
            string config = Path.Combine(configs, run.Hash + ".json");
            if (!File.Exists(config)) AtomicFile.WriteAllText(config, Json.Serialize(run.Config));
            manifest.Append(CultureInfo.InvariantCulture, $"{run.Key}\t{config}\t{run.Seed}\t{store.Folder(run).Path}\n");
        }
        string manifestFile = Path.Combine(folder, "slurm-manifest.tsv");
        AtomicFile.WriteAllText(manifestFile, manifest.ToString());
        string root = Presets.RepositoryRoot;
        string script = $"""
            #!/usr/bin/env bash
            # Slurm job array for `{experiment.Name}` at preset `{preset}`: {pending.Count} pending run(s), one per array task.
            # Each task trains one run into its own folder (resuming from a checkpoint after preemption);
            # afterwards merge with: environment/segalign ablation collect {experiment.Name} --preset {preset}
            #SBATCH --job-name=segalign-{experiment.Name}-{preset}
            #SBATCH --array=0-{Math.Max(0, pending.Count - 1)}
            #SBATCH --cpus-per-task=4
            #SBATCH --mem=16G
            #SBATCH --time=24:00:00
            #SBATCH --output={Path.Combine(folder, "slurm-logs")}/%A_%a.out
            ##SBATCH --gres=gpu:1   # uncomment on GPU partitions (build with -p:SegAlignCuda=true)
            set -euo pipefail
            cd {root}
            mkdir -p {Path.Combine(folder, "slurm-logs")}
            line="$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" {manifestFile})"
            IFS=$'\t' read -r key config seed out <<< "$line"
            echo "task $SLURM_ARRAY_TASK_ID: run $key"
            exec environment/segalign train --config "$config" --seed "$seed" --out "$out" --resume --threads "${"{"}SLURM_CPUS_PER_TASK:-0{"}"}"

            """;
        string scriptFile = Path.Combine(folder, "slurm.sh");
        AtomicFile.WriteAllText(scriptFile, script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(scriptFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return scriptFile;
    }
}

/// <summary>Measured inference latency per config hash for this machine (results/&lt;preset&gt;/latency.csv), filled by `segalign bench`.</summary>
public static class LatencyCache
{
    public static string File(ResultsStore store) => Path.Combine(store.Root, "latency.csv");

    public static Dictionary<string, double> Load(ResultsStore store)
    {
        var result = new Dictionary<string, double>();
        string path = File(store);
        if (!System.IO.File.Exists(path)) return result;
        foreach (var line in System.IO.File.ReadLines(path).Skip(1))
        {
            var parts = line.Split(',');
            if (parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)) result[parts[0]] = ms;
        }
        return result;
    }

    /// <summary>
    /// Measures inference latency (median of repeated batch-1 forward passes at the validation size, with this
    /// process's libtorch threads) for every planned config that has none yet, and saves the cache.
    /// </summary>
    public static void MeasureMissing(ResultsStore store, IEnumerable<PlannedRun> planned, Action<string>? log = null)
    {
        var latency = Load(store);
        foreach (var hash in Implausible(latency))
        {
            log?.Invoke($"latency.csv: {latency[hash]:F1} ms for config {hash} is far above the others (a reading from a busy machine); measuring it again");
            latency.Remove(hash);
        }
        var missing = planned.GroupBy(r => r.Hash).Select(g => g.First()).Where(r => !latency.ContainsKey(r.Hash)).ToList();
        if (missing.Count == 0) return;
        var models = missing.Select(run =>
        {
            var validation = Data.DatasetFactory.CreateValidation(run.Config.Data);
            var model = new Models.Segmentor(run.Config.Model, validation.NumClasses);
            model.to(Platform.TorchRuntime.Device);
            return (Run: run, Model: model, Sample: validation.Get(0));
        }).ToList();
        try
        {
            // Rounds over all models, keeping each one's best median: the first model timed in a fresh process otherwise
            // pays the process's own warm-up (thread pool, kernel caches) and looks slower than it is. A reading taken
            // while the machine was busy is no latency: rounds continue until each model's two best readings agree.
            var best = new Dictionary<string, Measurement.Timing>();
            var readings = models.ToDictionary(m => m.Run.Hash, _ => new List<double>());
            for (int round = 0; round < MaxRounds && models.Any(m => Settled(readings[m.Run.Hash]) is null); round++)
                foreach (var (run, model, sample) in models)
                {
                    if (round >= 2 && Settled(readings[run.Hash]) is not null) continue;
                    var timing = Measurement.Benchmarks.Latency(model, sample.Height, sample.Width);
                    readings[run.Hash].Add(timing.MedianMs);
                    if (!best.TryGetValue(run.Hash, out var previous) || timing.MedianMs < previous.MedianMs) best[run.Hash] = timing;
                }
            foreach (var (run, _, _) in models)
                if (Settled(readings[run.Hash]) is null)
                    log?.Invoke($"warning: latency of {run.Experiment}/{run.Variant} did not settle ({string.Join(", ", readings[run.Hash].Select(r => $"{r:F1}"))} ms): the machine is busy; keeping the best");
            foreach (var (run, _, _) in models)
            {
                latency[run.Hash] = best[run.Hash].MedianMs;
                log?.Invoke($"latency of {run.Experiment}/{run.Variant} ({torch.get_num_threads()} libtorch thread(s)): {best[run.Hash]}");
            }
        }
        finally
        {
            foreach (var (_, model, _) in models) model.Dispose();
        }
        Save(store, latency, Platform.TorchRuntime.Describe().ToString());
    }

    const int MaxRounds = 6;

    /// <summary>
    /// Cached latencies more than <see cref="OutlierFactor"/> × the median of all cached ones: the decoders' costs differ by a few
    /// times at most, so such a reading was taken while the machine was busy (needs at least three readings to judge).
    /// </summary>
    public static IReadOnlyList<string> Implausible(IReadOnlyDictionary<string, double> latencyByHash)
    {
        if (latencyByHash.Count < 3) return [];
        var sorted = latencyByHash.Values.Order().ToList();
        double median = sorted[sorted.Count / 2];
        return latencyByHash.Where(l => l.Value > OutlierFactor * median).Select(l => l.Key).ToList();
    }

    public const double OutlierFactor = 10;

    /// <summary>Agreement within this factor makes two readings one latency (a disturbed reading is several times slower).</summary>
    public const double Agreement = 1.25;

    /// <summary>The latency a model's readings settle on — the best, once the two best agree within <see cref="Agreement"/> — or null: measure again.</summary>
    public static double? Settled(IReadOnlyList<double> readings)
    {
        if (readings.Count < 2) return null;
        var sorted = readings.Order().ToList();
        return sorted[1] <= sorted[0] * Agreement ? sorted[0] : null;
    }

    public static void Save(ResultsStore store, IReadOnlyDictionary<string, double> latencyByHash, string environment)
    {
        var text = new StringBuilder("config_hash,latency_ms,environment\n");
        foreach (var (hash, ms) in latencyByHash.OrderBy(p => p.Key))
            text.Append(CultureInfo.InvariantCulture, $"{hash},{ms:R},\"{environment.Replace("\"", "'")}\"\n");
        AtomicFile.WriteAllText(File(store), text.ToString());
    }
}
