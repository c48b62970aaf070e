using System.Text.Json;
using SegAlign.Config;
using SegAlign.Platform;

namespace SegAlign.Training;

/// <summary>Where pretrained backbones are cached: results/pretrain/&lt;name&gt;-&lt;hash&gt;/ (shared by every preset).</summary>
public sealed class PretrainStore(string root)
{
    public static PretrainStore Default => new(Path.Combine(Repository.Root, "results", "pretrain"));

    public string Root { get; } = Path.GetFullPath(root);

    public PretrainFolder Folder(string name, string hash) => new(Path.Combine(Root, $"{name}-{hash}"));

    public PretrainFolder Folder(PretrainConfig recipe) => Folder(recipe.Name, PretrainRecipes.Hash(recipe));

    /// <summary>The weights file a config's <c>model.backboneWeights</c> names: a path as given, or a pretraining reference's cached result.</summary>
    public string WeightsFile(string weights)
    {
        if (!PretrainRecipes.IsReference(weights)) return weights;
        var (name, hash) = PretrainRecipes.Parse(weights);
        var folder = Folder(name, hash);
        if (folder.IsComplete) return folder.WeightsFile;
        string current = PretrainRecipes.Hash(PretrainRecipes.Load(name));
        throw current == hash
            ? new InputException("model.backboneWeights", $"the pretrained backbone '{name}' is not built yet (no {SafePathText(folder.WeightsFile)})",
                $"run: environment/segalign pretrain {name}   (ablation run does this itself)")
            : new InputException("model.backboneWeights", $"names recipe '{name}' at hash {hash}, but the recipe now hashes to {current} and no backbone of the old recipe is cached",
                "restore the recipe, or re-run with the config resolved from the current recipe");
    }

    static string SafePathText(string path) => Path.GetRelativePath(Repository.Root, path) is var relative && !relative.StartsWith("..", StringComparison.Ordinal) ? relative : path;
}

/// <summary>One pretraining's folder: recipe.json, train_log.csv, eval_log.csv, checkpoint.ckpt, backbone.dat, metrics.json.</summary>
public sealed class PretrainFolder(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);
    public string RecipeFile => System.IO.Path.Combine(Path, "recipe.json");
    public string TrainLogFile => System.IO.Path.Combine(Path, "train_log.csv");
    public string EvalLogFile => System.IO.Path.Combine(Path, "eval_log.csv");
    public string CheckpointFile => System.IO.Path.Combine(Path, "checkpoint.ckpt");
    public string WeightsFile => System.IO.Path.Combine(Path, "backbone.dat");
    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.json");
    public string LockFile => System.IO.Path.Combine(Path, ".lock");
    /// <summary>metrics.json is written last: with it and the weights, the pretraining is done.</summary>
    public bool IsComplete => File.Exists(MetricsFile) && File.Exists(WeightsFile);

    public PretrainMetrics ReadMetrics() =>
        JsonSerializer.Deserialize<PretrainMetrics>(File.ReadAllText(MetricsFile), Json.Options)
        ?? throw new InputException(MetricsFile, "is empty", "delete the folder and pretrain again");
}

/// <summary>What a pretraining produced.</summary>
public sealed record PretrainMetrics
{
    public required string Name { get; init; }
    public required string Hash { get; init; }
    public required int Iterations { get; init; }
    public required double Top1 { get; init; }
    public required IReadOnlyDictionary<string, double> PerClassTop1 { get; init; }
    public required int EvalImages { get; init; }
    public required double TrainSeconds { get; init; }
    public required double FinalLoss { get; init; }
    public required string Runtime { get; init; }
    public string Commit { get; init; } = "unknown";
    public bool Dirty { get; init; }
}
