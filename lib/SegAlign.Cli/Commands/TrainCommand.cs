using System.CommandLine;
using SegAlign.Experiments;
using SegAlign.Platform;
using SegAlign.Training;

namespace SegAlign.Cli;

public static partial class Commands
{
    static Command Train()
    {
        var command = new Command("train", "Train a model on a preset's data and schedule, evaluate it, and write a run folder " +
                                           "(config.json, train_log.csv, checkpoint.ckpt, metrics.json, per_class_iou.csv, confusion_matrix.csv).");
        var configOptions = new RunConfigOptions();
        configOptions.AddTo(command);
        var seed = new Option<int>("--seed") { Description = "Seed of every random source (initialisation, data stream, dropout).", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Run folder (default: results/scratch/train/<decoder>-<config hash>-s<seed>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last checkpoint (or report it if complete)." };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var printConfig = new Option<bool>("--print-config") { Description = "Print the resolved config (every default filled in) and its hash, then exit." };
        foreach (var option in new Option[] { seed, output, resume, threads, printConfig }) command.Add(option);

        command.SetAction(parse => SegAlignCommand.Guard(() =>
        {
            ChildProcesses.DieWithParent(); // a sweep's worker must not outlive the sweep
            int threadCount = OptionChecks.Threads(parse.GetValue(threads));
            var config = configOptions.Resolve(parse);
            int runSeed = parse.GetValue(seed);
            if (parse.GetValue(printConfig))
            {
                Console.WriteLine(config.Resolved().ToJsonString(Json.Options));
                Console.WriteLine($"hash: {config.Hash()}");
                return 0;
            }
            string folder = parse.GetValue(output) ?? Path.Combine(Presets.RepositoryRoot, "results", "scratch", "train", $"{config.Model.Decoder}-{config.Hash()}-s{runSeed}");
            TorchRuntime.Initialise(threadCount);
            Console.WriteLine($"device: {TorchRuntime.Describe()}");
            if (MixedPrecision.EmulationWarning(config.Train, TorchRuntime.Device) is { } warning) Console.WriteLine(warning);
            Console.WriteLine($"run:    {config.Model.Decoder} on {config.Data.Dataset}, config {config.Hash()}, seed {runSeed} → {folder}");
            // Every output folder is locked (a store's run folder as a sweep locks it): two trainers never write one folder.
            string lockPath = RunLock.PathForOutputFolder(folder);
            using var held = RunLock.TryAcquireAt(lockPath) ?? throw new InputException(folder, "is being trained by another process (a sweep or another train)",
                "wait for it to finish, or stop it; its lock is " + SafePaths.Shown(lockPath));
            using var cancel = CancelOnCtrlC();
            TrainOutcome outcome;
            try
            {
                outcome = ProgressDisplay.Run($"{config.Model.Decoder} s{runSeed}", progress =>
                    Trainer.Run(config, runSeed, folder, new TrainOptions { Resume = parse.GetValue(resume), Threads = threadCount }, progress, cancel.Token));
            }
            catch (OperationCanceledException) when (cancel.Token.IsCancellationRequested)
            {
                return cancel.ReportStopped(File.Exists(Path.Combine(folder, "checkpoint.ckpt"))
                    ? $"the same command plus --resume --out {SlurmScript.BashQuote(folder)}"
                    : "the same command (no checkpoint was written yet, so it starts over)");
            }
            if (outcome.Metrics is null)
            {
                Console.WriteLine($"stopped with a checkpoint in {outcome.Folder.Path}; continue with --resume --out {outcome.Folder.Path}");
                return 0;
            }
            ResultPrinter.Print(outcome.Metrics, outcome.Folder.Path);
            return 0;
        }));
        return command;
    }

    /// <summary>Ctrl+C or SIGTERM cancels the run cleanly (the last checkpoint stays; --resume continues).</summary>
    static StopSignals CancelOnCtrlC() => new();
}
