using System.CommandLine;
using SegAlign.Data;
using SegAlign.Evaluation;
using SegAlign.Models;
using SegAlign.Platform;
using SegAlign.Training;

namespace SegAlign.Cli;

public static partial class Commands
{
    static Command Eval()
    {
        var command = new Command("eval", "Evaluate a trained run folder's checkpoint on its validation split (one confusion matrix over the whole split): " +
                                          "mIoU, mAcc, aAcc, per-class IoU, boundary F-score and trimap mIoU.");
        var run = new Argument<DirectoryInfo>("run") { Description = "A run folder written by `segalign train` (needs config.json and checkpoint.ckpt)." };
        var tolerance = new Option<double>("--boundary-tolerance") { Description = "Boundary F tolerance: a fraction of the image diagonal (< 1) or pixels (≥ 1).", DefaultValueFactory = _ => 0.008 };
        var trimap = new Option<int[]>("--trimap") { Description = "Trimap band widths in pixels.", DefaultValueFactory = _ => [1, 2, 4], AllowMultipleArgumentsPerToken = true };
        var dataRoot = new Option<string?>("--data-root") { Description = "Dataset folder, when it moved since training." };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        foreach (var o in new Option[] { tolerance, trimap, dataRoot, threads }) command.Add(o);
        command.Add(run);

        command.SetAction(p => SegAlignCommand.Guard(() =>
        {
            var options = new BoundaryOptions { Tolerance = p.GetValue(tolerance), TrimapWidths = p.GetValue(trimap)! }.Validate();
            int threadCount = OptionChecks.Threads(p.GetValue(threads));
            var folder = new RunFolder(p.GetValue(run)!.FullName);
            var config = folder.ReadConfig();
            if (p.GetValue(dataRoot) is { } root) config = config with { Data = config.Data with { Root = root } };
            TorchRuntime.Initialise(threadCount);
            Console.WriteLine($"device: {TorchRuntime.Describe()}");
            var validation = DatasetRegistry.CreateValidation(config.Data);
            using var model = TrainedModel.Load(folder, validation.NumClasses);
            var result = Evaluator.Evaluate(model, validation, config.Train.EvalBatchSize, options);
            var previous = folder.IsComplete ? folder.ReadMetrics() : null;
            var metrics = RunMetrics.From(result, config, previous?.Seed ?? 0, config.Hash(), previous?.Iterations ?? config.Train.Iterations,
                previous?.TrainSeconds ?? 0, previous?.FinalLoss ?? double.NaN, previous?.GMacs ?? 0, previous?.Parameters ?? ModelStats.Parameters(model),
                TorchRuntime.Describe().ToString(), Provenance.Of(AppContext.BaseDirectory));
            ResultPrinter.Print(metrics, folder.Path);
            if (previous is not null && Math.Abs(previous.MeanIoU - metrics.MeanIoU) > 1e-9)
                Console.WriteLine($"note: metrics.json records mIoU {previous.MeanIoU:F2}; this evaluation (other settings or data) gives {metrics.MeanIoU:F2}. metrics.json is unchanged.");
            return 0;
        }));
        return command;
    }
}
