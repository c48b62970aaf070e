using System.CommandLine;
using SegAlign.Platform;
using SegAlign.Reports;
using SegAlign.Training;

namespace SegAlign.Cli;

public static partial class Commands
{
    static Command Pretrain()
    {
        var command = new Command("pretrain",
            "Pretrain a segmentation backbone by classification on Fashion-MNIST train items drawn on FashionScenes backgrounds " +
            "(recipes: experiments/pretraining/<name>.json). Deterministic, resumable, cached by recipe hash under results/pretrain/<name>-<hash>/ " +
            "(backbone.dat, curves, metrics.json, report.html). Presets load the result with model.backboneWeights = \"pretrain:<name>\"; " +
            "`ablation run` pretrains what it needs by itself.");
        var recipe = new Argument<string>("recipe") { Description = "A recipe name, `all`, or `list`." };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = the recipe's pinned count, which reproduces the committed prior bit for bit; all cores if it pins none).", DefaultValueFactory = _ => 0 };
        var results = new Option<string?>("--results") { Description = "Cache folder (default: results/pretrain of the repository)." };
        command.Add(recipe);
        command.Add(threads);
        command.Add(results);
        command.SetAction(parse => SegAlignCommand.Guard(() =>
        {
            string what = parse.GetValue(recipe)!;
            var store = parse.GetValue(results) is { } folder ? new PretrainStore(folder) : PretrainStore.Default;
            var names = what switch
            {
                "all" or "list" => PretrainRecipes.Available(),
                _ => [PretrainRecipes.Load(what).Name],
            };
            if (names.Count == 0) throw new InputException(PretrainRecipes.Folder, "holds no pretraining recipe", "add one, e.g. fashion-objects.json");
            if (what == "list")
            {
                foreach (var name in names)
                {
                    var r = PretrainRecipes.Load(name);
                    var f = store.Folder(r);
                    Console.WriteLine($"{name,-28} {PretrainRecipes.Hash(r)}  {(f.IsComplete ? $"done, top-1 {f.ReadMetrics().Top1:F2} %" : "not built")}  {r.Description}");
                }
                return 0;
            }
            int threadCount = OptionChecks.Threads(parse.GetValue(threads));
            using var cancel = CancelOnCtrlC();
            foreach (var name in names)
            {
                var r = PretrainRecipes.Load(name);
                var f = store.Folder(r);
                int used = Pretrainer.ThreadsFor(r, threadCount);
                TorchRuntime.Initialise(used);
                Console.WriteLine($"pretrain {name} ({PretrainRecipes.Hash(r)}) → {f.Path}");
                if (r.Threads > 0 && used != r.Threads && !f.IsComplete)
                    Console.WriteLine($"note: the recipe pins {r.Threads} thread(s); with {used} the backbone differs bit for bit from the committed one " +
                                      "(another summation order) and runs that load it will not reproduce the committed results exactly");
                var metrics = Pretrainer.Run(r, store, used, progress: PlainPretrainProgress(name), cancellation: cancel.Token);
                Console.WriteLine($"{name}: held-out top-1 {metrics.Top1:F2} % ({metrics.TrainSeconds / 60:F1} min); report {PretrainReport.Write(f)}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>A line about every 5 % of the iterations, and one per evaluation.</summary>
    static IProgress<PretrainProgress> PlainPretrainProgress(string name)
    {
        int lastPrinted = -1;
        return new ImmediateProgress<PretrainProgress>(p =>
        {
            if (p.Phase != "train" || p.Iteration == lastPrinted) return;
            if (p.Iteration != 1 && p.Iteration != p.Total && p.Iteration % Math.Max(1, p.Total / 20) != 0) return;
            lastPrinted = p.Iteration;
            Console.WriteLine($"{name}  it {p.Iteration}/{p.Total}  loss {p.Loss:F4}  {p.ImagesPerSecond:F0} img/s");
        });
    }
}
