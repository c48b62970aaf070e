using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TorchSharp;

namespace SegAlign.Experiments;

/// <summary>
/// Turns the run folders of a preset into tables: results/&lt;preset&gt;/runs.csv (every experiment, one row per
/// experiment × variant × seed) and results/&lt;preset&gt;/&lt;experiment&gt;/summary.md + summary.csv.
/// </summary>
public static class ExperimentResults
{
    /// <param name="warn">Told about another experiment's file that cannot be read (its rows are left out of runs.csv; the chosen experiments still get their tables).</param>
    public static IReadOnlyList<ExperimentSummary> Collect(string preset, ResultsStore store, IEnumerable<string>? experiments = null,
        IReadOnlyDictionary<string, JsonNode?>? overrides = null, Action<string>? warn = null)
    {
        var names = (experiments ?? ExperimentDefinition.Available(preset)).ToList();
        var definitions = names.Select(ExperimentDefinition.Load).ToList();
        var plans = definitions.ToDictionary(d => d.Name, d => ExperimentPlan.Resolve(d, preset, overrides));
        var latency = LatencyCache.Load(store);
        var allRows = new List<RunRow>();
        var summaries = new List<ExperimentSummary>();
        foreach (var definition in definitions)
        {
            var rows = ExperimentRunner.Rows(plans[definition.Name], store, latency);
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
            foreach (var other in ExperimentDefinition.Available(preset).Except(names))
            {
                try
                {
                    allRows.AddRange(ExperimentRunner.Rows(ExperimentPlan.Resolve(ExperimentDefinition.Load(other), preset, overrides), store, latency));
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
