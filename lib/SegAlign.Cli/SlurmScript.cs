using SegAlign.Experiments;
using SegAlign.Platform;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SegAlign.Cli;

/// <summary>
/// A Slurm job-array script (one array task per pending run; each task writes only its own run folder) and its
/// manifest; `segalign ablation collect` merges afterwards. The script is data-safe: the results folder (the one
/// user-chosen path) appears once, single-quoted, relative to the repository; the manifest holds only keys, hashes and
/// seeds, which the script checks before use; every expansion is double-quoted. Threads are pinned as the sweep pins
/// them, so a run key gives the same numbers on the cluster as on a workstation.
/// </summary>
public static partial class SlurmScript
{
    /// <summary>The sweep's default: one run per core, one libtorch thread each (ablation run without --jobs/--threads).</summary>
    public const int SweepThreads = 1;

    [GeneratedRegex("^[A-Za-z0-9_./-]+$")]
    private static partial Regex SlurmSafePathPattern();

    /// <summary>Writes slurm.sh and slurm-manifest.tsv into the experiment's results folder; returns the script's path.</summary>
    public static string Emit(ExperimentDefinition experiment, string preset, ResultsStore store, IReadOnlyList<PlannedRun> planned, int threads = SweepThreads)
    {
        SafePaths.PlainName(preset, "preset", "use one of: " + string.Join(", ", Presets.Names));
        if (threads < 1) throw new InputException("threads", $"must be ≥ 1, got {threads}", "use 1 (as the sweep does) or more");
        var pending = planned.GroupBy(r => r.Key).Select(g => g.First()).Where(r => !store.Folder(r).IsComplete).ToList();
        string folder = store.ExperimentFolder(experiment.Name);
        string configs = Path.Combine(store.Root, "configs");
        Directory.CreateDirectory(configs);
        var manifest = new StringBuilder();
        foreach (var run in pending)
        {
            string config = Path.Combine(configs, run.Hash + ".json");
            if (!File.Exists(config)) AtomicFile.WriteAllText(config, Json.Serialize(run.Config));
            manifest.Append(CultureInfo.InvariantCulture, $"{run.Key}\t{run.Hash}\t{run.Seed}\n");
        }
        AtomicFile.WriteAllText(Path.Combine(folder, "slurm-manifest.tsv"), manifest.ToString());
        string logs = Path.Combine(folder, "slurm-logs");
        Directory.CreateDirectory(logs);

        string results = Relative(store.Root);
        string experimentFolder = Relative(folder);
        string logsRelative = Relative(logs);
        // #SBATCH lines are not shell, so they cannot be quoted: a path that is not plain is left to Slurm's default.
        string output = SlurmSafePathPattern().IsMatch(logsRelative)
            ? $"#SBATCH --output={logsRelative}/%A_%a.out"
            : "# (the results path is not plain, so Slurm writes its log to slurm-%A_%a.out where sbatch is run)";
        string script = $"""
            #!/usr/bin/env bash
            # Slurm job array for `{experiment.Name}` at preset `{preset}`: {pending.Count} pending run(s), one per array task.
            # Submit from the repository root (paths below are relative to it): sbatch <this file>
            # Each task trains one run into its own folder (resuming from a checkpoint after preemption) with {threads}
            # libtorch thread(s), as the sweep does; afterwards merge with: environment/segalign ablation collect {experiment.Name} --preset {preset}
            #SBATCH --job-name=segalign-{experiment.Name}-{preset}
            #SBATCH --array=0-{Math.Max(0, pending.Count - 1)}
            #SBATCH --cpus-per-task={threads}
            #SBATCH --mem=16G
            #SBATCH --time=24:00:00
            {output}
            ##SBATCH --gres=gpu:1   # uncomment on GPU partitions (build with -p:SegAlignCuda=true)
            set -euo pipefail
            results={BashQuote(results)}
            experiment_folder={BashQuote(experimentFolder)}
            if [ ! -f experiments/baseline.json ] || [ ! -x environment/segalign ]; then
              echo "error: $PWD is not the SegAlign repository root. Fix: cd to the repository root and submit again." >&2
              exit 2
            fi
            line="$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$experiment_folder/slurm-manifest.tsv")"
            IFS=$'\t' read -r key hash seed <<< "$line"
            # The manifest is data: anything but a plain key, hash and seed is refused, never run.
            if ! [[ "$key" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ && "$hash" =~ ^[A-Za-z0-9]+$ && "$seed" =~ ^[0-9]+$ ]]; then
              echo "error: $experiment_folder/slurm-manifest.tsv line $((SLURM_ARRAY_TASK_ID + 1)) is not 'key<TAB>hash<TAB>seed'. Fix: emit the script again." >&2
              exit 2
            fi
            echo "task $SLURM_ARRAY_TASK_ID: run $key"
            exec environment/segalign train --config "$results/configs/$hash.json" --seed "$seed" --out "$results/runs/$key" --resume --threads {threads}

            """;
        string scriptFile = Path.Combine(folder, "slurm.sh");
        AtomicFile.WriteAllText(scriptFile, script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(scriptFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return scriptFile;
    }

    /// <summary>A bash word that is exactly <paramref name="text"/>: single quotes take every byte literally but a quote.</summary>
    public static string BashQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    static string Relative(string path) => Path.GetRelativePath(Presets.RepositoryRoot, path).Replace(Path.DirectorySeparatorChar, '/');
}
