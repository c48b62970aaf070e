using System.CommandLine;
using SegAlign.Data;
using SegAlign.Experiments;
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
        var items = new Option<bool>("--items") { Description = "FashionScenes runs: also judge every garment as a whole — named right (most of its pixels get its class), named as another garment, or lost to background — by visible size, and how many of the pixels given to another garment lie in misnamed items." };
        var fromPredictions = new Option<bool>("--from-predictions") { Description = "Compute every metric from the run's stored predictions (predictions.bin, protocol v3 runs) instead of its checkpoint: no model, no retraining — for a metric invented after the run." };
        foreach (var o in new Option[] { tolerance, trimap, dataRoot, threads, items, fromPredictions }) command.Add(o);
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
            var validation = DatasetRegistry.CreateEvaluation(config.Data);
            ItemRecognition? recognition = null;
            Action<int, byte[], Sample>? observe = null;
            if (p.GetValue(items))
            {
                if (validation is not FashionScenes scenes)
                    throw new InputException("--items", $"needs a fashion-scenes run (this one's dataset is {config.Data.Dataset}): only generated scenes know which item owns each pixel",
                        "drop --items for this run");
                recognition = new ItemRecognition(scenes.NumClasses);
                observe = recognition.Observer(scenes);
            }
            EvaluationResult result;
            IReadOnlyDictionary<string, long>? parameters = null;
            if (p.GetValue(fromPredictions))
            {
                Console.WriteLine($"from stored predictions: {SafePaths.Shown(folder.PredictionsFile)}");
                result = Evaluator.FromPredictions(folder.PredictionsFile, validation, options, observe);
            }
            else
            {
                using var model = TrainedModel.Load(folder, validation.NumClasses);
                result = Evaluator.Evaluate(model, validation, config.Train.EvalBatchSize, options, observe: observe);
                parameters = ModelStats.Parameters(model);
            }
            var previous = folder.IsComplete ? folder.ReadMetrics() : null;
            var metrics = RunMetrics.From(result, config, previous?.Seed ?? 0, config.Hash(), previous?.Iterations ?? config.Train.Iterations,
                previous?.TrainSeconds ?? 0, previous?.FinalLoss ?? double.NaN, previous?.GMacs ?? 0, previous?.Parameters ?? parameters ?? new Dictionary<string, long> { ["total"] = 0, ["decoder"] = 0 },
                TorchRuntime.Describe().ToString(), Provenance.Of(AppContext.BaseDirectory));
            ResultPrinter.Print(metrics, folder.Path);
            if (previous is not null && Math.Abs(previous.MeanIoU - metrics.MeanIoU) > 1e-9)
                Console.WriteLine($"note: metrics.json records mIoU {previous.MeanIoU:F2}; this evaluation (other settings or data) gives {metrics.MeanIoU:F2}. metrics.json is unchanged.");
            if (metrics.Alignment is { } alignment)
                Console.WriteLine("alignment apart from recognition: " + string.Join(", ", alignment.Named().Select(n => $"{n.Name} {n.Value:F2}")));
            if (recognition is not null) PrintItems(recognition);
            return 0;
        }));
        return command;
    }

    // Visible-pixel edges of the size groups: at 128 px a 14-px item shows ≈ 100 garment pixels, a 56-px one ≈ 1 500.
    static readonly int[] itemSizeEdges = [150, 400, 1000];

    static void PrintItems(ItemRecognition recognition)
    {
        Console.WriteLine();
        Console.WriteLine("garments as a whole (named = the class most of its visible pixels get; pixel shares are of the group's garment pixels):");
        Console.WriteLine($"{"items",-14} {"count",6} {"named right",12} {"as another",11} {"background",11} {"px right",9} {"px other",9} {"…in misnamed",13}");
        foreach (var g in recognition.Summarise(itemSizeEdges))
            Console.WriteLine($"{g.Group,-14} {g.Items,6} {g.NamedRight,11:F1}% {g.NamedAnotherGarment,10:F1}% {g.LostToBackground,10:F1}% {g.PixelsCorrect,8:F1}% {g.PixelsOtherGarment,8:F1}% {g.PixelsOtherGarmentInMisnamedItems,12:F1}%");
    }
}
