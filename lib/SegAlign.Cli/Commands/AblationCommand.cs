using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using SegAlign.Experiments;
using SegAlign.Platform;
using Spectre.Console;

namespace SegAlign.Cli;

public static partial class Commands
{
    static Command Ablation()
    {
        var ablation = new Command("ablation", "Rerun a paper's ablation: train every (variant, seed) not yet done, then print the paper-style table.");
        var experiment = new Argument<string>("experiment") { Description = "The name of a definition under experiments/ (`ablation list` shows them) — or all." };
        var preset = OptionChecks.PresetOption("Whose config and results folder (results/<preset>/).", "quick");
        var set = new Option<string[]>("--set") { Description = "Override a config field for every variant: path=value. Repeatable; must not contradict a variant." };
        var seeds = new Option<int[]?>("--seeds") { Description = "Run only these seeds (default: the experiment's).", AllowMultipleArgumentsPerToken = true };
        var variants = new Option<string[]?>("--variants") { Description = "Run only these variants, separated by spaces or commas.", AllowMultipleArgumentsPerToken = true };
        var jobs = new Option<int>("--jobs") { Description = "Runs trained at once, each in its own process (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var threads = new Option<int>("--threads") { Description = "libtorch threads per run (default: cores ÷ jobs).", DefaultValueFactory = _ => 0 };
        var results = new Option<string?>("--results") { Description = "Results folder (default: results/ of the repository)." };

        var run = new Command("run", "Train what is missing (resumable), then write results/<preset>/runs.csv and each experiment's summary.");
        var summary = new Command("summary", "Print and write the paper-style table from the runs that exist.");
        var collect = new Command("collect", "Rebuild runs.csv and the summaries from the run folders (e.g. after a Slurm array).");
        var emit = new Command("emit", "Write a script that runs the pending runs elsewhere.");
        var slurm = new Command("slurm", "Write a Slurm job-array script (one task per pending run) under results/<preset>/<experiment>/.");
        var list = new Command("list", "List experiments, their variants and how many runs each preset has finished.");
        foreach (var c in new[] { run, summary, collect, slurm })
        {
            c.Add(experiment); c.Add(preset); c.Add(set); c.Add(results);
        }
        var noLatency = new Option<bool>("--no-latency") { Description = "Skip the latency measurement after training (e.g. while other work loads the machine); measure later with `bench --latency-for`." };
        run.Add(seeds); run.Add(variants); run.Add(jobs); run.Add(threads); run.Add(noLatency);
        var slurmThreads = new Option<int>("--threads") { Description = "libtorch threads per task (default 1, as the sweep pins them, so a run gives the same numbers).", DefaultValueFactory = _ => SlurmScript.SweepThreads };
        slurm.Add(slurmThreads);
        list.Add(preset); list.Add(results);

        IReadOnlyList<ExperimentDefinition> Definitions(ParseResult p)
        {
            string name = p.GetValue(experiment)!;
            var names = name == "all" ? ExperimentDefinition.Available(PresetOf(p)) : [name];
            return names.Select(ExperimentDefinition.Load).ToList();
        }
        static bool Loads(string name, List<InputException> broken)
        {
            try { ExperimentDefinition.Load(name); return true; }
            catch (InputException e) { broken.Add(e); return false; }
        }
        string PresetOf(ParseResult p)
        {
            string value = OptionChecks.Preset(p.GetValue(preset)!);
            return value;
        }

        run.SetAction(p => SegAlignCommand.Guard(() =>
        {
            string presetName = PresetOf(p);
            var definitions = Definitions(p);
            var overrides = ConfigOverrides.Parse(p.GetValue(set) ?? []);
            var store = ResultsStore.ForPreset(presetName, p.GetValue(results));
            // System.CommandLine yields an empty array for an absent option: that means "all", not "none".
            var chosenSeeds = p.GetValue(seeds) is { Length: > 0 } s ? s.Distinct().ToArray() : null;
            var chosenVariants = OptionChecks.List(p.GetValue(variants));
            // A seed the experiment does not list would train runs that no table shows.
            foreach (var definition in definitions)
                if (chosenSeeds?.Except(definition.Seeds).ToList() is { Count: > 0 } foreign)
                    throw new InputException("--seeds", $"{string.Join(", ", foreign)} is not among the seeds of {definition.Name} ({string.Join(", ", definition.Seeds)})",
                        $"choose from {string.Join(", ", definition.Seeds)}, or add the seed to experiments/{definition.Name}.json");
            var planned = definitions.SelectMany(d => ExperimentPlan.Resolve(d, presetName, overrides, chosenSeeds, chosenVariants)).ToList();
            int jobCount = OptionChecks.AtLeast(p.GetValue(jobs), 1, "--jobs", "use 1 or more runs at once");
            int threadOption = OptionChecks.Threads(p.GetValue(threads));
            int threadCount = threadOption > 0 ? threadOption : Math.Max(1, Environment.ProcessorCount / jobCount);
            TorchRuntime.Initialise(threadCount);
            Console.WriteLine($"device: {TorchRuntime.Describe()}");
            if (planned.Select(r => Training.MixedPrecision.EmulationWarning(r.Config.Train, TorchRuntime.Device)).FirstOrDefault(w => w is not null) is { } warning)
                Console.WriteLine(warning);
            Console.WriteLine($"plan:   {planned.Select(r => r.Key).Distinct().Count()} distinct runs for {string.Join(", ", definitions.Select(d => d.Name))} at preset {presetName}; " +
                              $"{jobCount} at a time × {threadCount} thread(s) → {store.Root}");
            using var cancel = CancelOnCtrlC();
            IRunExecutor executor = jobCount == 1 ? new InProcessExecutor() : new ChildProcessExecutor(WorkerCommand);
            SweepResult sweep;
            try
            {
                sweep = ExperimentRunner.Run(planned, store, executor, jobCount, threadCount, new ImmediateProgress<RunEvent>(ReportRun), cancel.Token,
                    PlainPretrainProgress("pretrain"));
            }
            catch (OperationCanceledException) when (cancel.Token.IsCancellationRequested)
            {
                return cancel.ReportStopped("the same command: finished runs are kept and stopped ones continue from their checkpoints");
            }
            Console.WriteLine($"{sweep.AlreadyDone} already done, {sweep.Trained} trained, {sweep.Failures.Count} failed.");
            // Latency is measured once per config that has a finished run, after training has freed the cores: with
            // --threads when given, else every core.
            TorchRuntime.Initialise(threadOption > 0 ? threadOption : Environment.ProcessorCount);
            if (!p.GetValue(noLatency)) LatencyCache.Measure(store, planned.Where(r => store.Folder(r).IsComplete).ToList(), Console.WriteLine);
            else Console.WriteLine("latency: not measured (--no-latency); measure it on an idle machine with: segalign bench --latency-for <experiment> --preset " + presetName);
            var summaries = ExperimentResults.Collect(presetName, store, definitions.Select(d => d.Name), overrides, Console.Error.WriteLine);
            PrintSummaries(summaries, store);
            foreach (var (failed, error) in sweep.Failures) Console.Error.WriteLine($"error: {failed.Experiment}/{failed.Variant} seed {failed.Seed} ({failed.Key}) failed: {error}");
            return sweep.Failures.Count == 0 ? 0 : sweep.BadInput ? 2 : 1;
        }));

        // "all" summarises every experiment that loads and names each broken file (exit 2): one bad definition
        // does not hide the tables of the others. A single named experiment fails as usual.
        Func<ParseResult, int> summarise = p => SegAlignCommand.Guard(() =>
        {
            string presetName = PresetOf(p);
            var store = ResultsStore.ForPreset(presetName, p.GetValue(results));
            var broken = new List<InputException>();
            var names = p.GetValue(experiment) == "all"
                ? ExperimentDefinition.Available(presetName).Where(n => Loads(n, broken)).ToList()
                : Definitions(p).Select(d => d.Name).ToList();
            var summaries = ExperimentResults.Collect(presetName, store, names, ConfigOverrides.Parse(p.GetValue(set) ?? []), Console.Error.WriteLine);
            PrintSummaries(summaries, store);
            foreach (var e in broken) Console.Error.WriteLine($"error: {e.Message}");
            return broken.Count == 0 ? 0 : 2;
        });
        summary.SetAction(summarise);
        collect.SetAction(summarise);

        slurm.SetAction(p => SegAlignCommand.Guard(() =>
        {
            string presetName = PresetOf(p);
            var store = ResultsStore.ForPreset(presetName, p.GetValue(results));
            var overrides = ConfigOverrides.Parse(p.GetValue(set) ?? []);
            foreach (var definition in Definitions(p))
            {
                var planned = ExperimentPlan.Resolve(definition, presetName, overrides);
                ExperimentPlan.CheckExisting(store, planned);
                string script = SlurmScript.Emit(definition, presetName, store, planned, OptionChecks.AtLeast(p.GetValue(slurmThreads), 1, "--threads", "use 1 (as the sweep does) or more"));
                Console.WriteLine($"wrote {SafePaths.Shown(script)} — submit from the repository root with: sbatch {SlurmScript.BashQuote(Path.GetRelativePath(Presets.RepositoryRoot, script))}");
            }
            return 0;
        }));

        list.SetAction(p => SegAlignCommand.Guard(() =>
        {
            string presetName = PresetOf(p);
            var store = ResultsStore.ForPreset(presetName, p.GetValue(results));
            var table = new Table().AddColumn("experiment").AddColumn("variants").AddColumn("seeds").AddColumn(new TableColumn($"done ({presetName})").RightAligned());
            foreach (var name in ExperimentDefinition.Available())
            {
                // One broken file is listed as broken; it does not hide the others.
                try
                {
                    var definition = ExperimentDefinition.Load(name);
                    if (!definition.IsDefinedAt(presetName))
                    {
                        table.AddRow(definition.Name, Markup.Escape(string.Join(", ", definition.Variants.Select(v => v.Name))), string.Join(",", definition.Seeds),
                            Markup.Escape($"only at {string.Join(", ", definition.RunsAt!.Presets)}"));
                        continue;
                    }
                    var planned = ExperimentPlan.Resolve(definition, presetName);
                    table.AddRow(definition.Name, Markup.Escape(string.Join(", ", definition.VariantsAt(presetName).Select(v => v.Name))), string.Join(",", definition.Seeds),
                        $"{planned.Count(r => store.Folder(r).IsComplete)}/{planned.Count}");
                }
                catch (InputException e)
                {
                    table.AddRow(Markup.Escape(name), $"[red]broken:[/] {Markup.Escape(e.Message)}", "", "");
                }
            }
            Terminal.Current().Write(table);
            return 0;
        }));

        emit.Add(slurm);
        foreach (var c in new[] { run, summary, collect, emit, list }) ablation.Add(c);
        return ablation;
    }

    static void ReportRun(RunEvent e)
    {
        string name = $"{e.Run.Experiment}/{e.Run.Variant} s{e.Run.Seed}";
        switch (e.Status)
        {
            case "started": Console.WriteLine($"[{e.Elapsed:hh\\:mm\\:ss}] start {name} ({e.Run.Key})"); break;
            case "waiting": Console.WriteLine($"[{e.Elapsed:hh\\:mm\\:ss}] waiting for {name} ({e.Run.Key}): {e.Error}; it is trained here if that process stops"); break;
            case "done elsewhere": Console.WriteLine($"[{e.Elapsed:hh\\:mm\\:ss}] {e.Finished}/{e.Total} done {name} by another process: mIoU {e.Metrics!.MeanIoU:F2}"); break;
            case "done": Console.WriteLine($"[{e.Elapsed:hh\\:mm\\:ss}] {e.Finished}/{e.Total} done {name}: mIoU {e.Metrics!.MeanIoU:F2}, boundary F {e.Metrics.BoundaryF:F2} ({e.Metrics.TrainSeconds:F0} s)"); break;
            default: Console.WriteLine($"[{e.Elapsed:hh\\:mm\\:ss}] {e.Finished}/{e.Total} FAILED {name}: {e.Error}"); break;
        }
    }

    static void PrintSummaries(IReadOnlyList<ExperimentSummary> summaries, ResultsStore store)
    {
        foreach (var s in summaries)
        {
            Console.WriteLine();
            if (s.Variants.Count == 0)
            {
                Console.WriteLine($"{s.Experiment.Name}: no finished runs yet, so no summary was written.");
                continue;
            }
            Console.WriteLine(s.ToMarkdown());
            Console.WriteLine($"written: {Path.Combine(store.ExperimentFolder(s.Experiment.Name), "summary.md")}");
        }
        if (File.Exists(store.RunsTable)) Console.WriteLine($"tidy table: {store.RunsTable}");
    }

    /// <summary>This same program (apphost or `dotnet SegAlign.Cli.dll`) as a worker on one request file.</summary>
    static ProcessStartInfo WorkerCommand(string requestFile) => SegAlignProcess("worker", requestFile);

    /// <summary>This program (or `dotnet` with this assembly) running <paramref name="subcommand"/> on a file, in this repository.</summary>
    static ProcessStartInfo SegAlignProcess(string subcommand, string file)
    {
        string process = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(process);
        if (Path.GetFileNameWithoutExtension(process) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        start.ArgumentList.Add(subcommand);
        start.ArgumentList.Add(file);
        start.Environment["SEGALIGN_HOME"] = Presets.RepositoryRoot;
        return start;
    }
}
