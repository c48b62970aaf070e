using System.Globalization;
using SegAlign.Config;
using SegAlign.Evaluation;
using SegAlign.Platform;

namespace SegAlign.Training;

/// <summary>One class's row in metrics.json and per_class_iou.csv (percentages; null = absent).</summary>
public sealed record ClassResult(string Name, double? IoU, double? Accuracy, double? BoundaryF, long GroundTruthPixels, long PredictedPixels);

/// <summary>The outcome of a run as saved in metrics.json.</summary>
public sealed record RunMetrics
{
    public required string ConfigHash { get; init; }
    public required int Seed { get; init; }
    public required string Dataset { get; init; }
    public required string Backbone { get; init; }
    public required string Decoder { get; init; }
    public required int Iterations { get; init; }
    public required double TrainSeconds { get; init; }
    public required double ImagesPerSecond { get; init; }
    public required double FinalLoss { get; init; }
    public required double MeanIoU { get; init; }
    public required double MeanAccuracy { get; init; }
    public required double PixelAccuracy { get; init; }
    public required double BoundaryF { get; init; }
    public required IReadOnlyDictionary<string, double> TrimapMeanIoU { get; init; }
    /// <summary>Alignment apart from recognition (protocol v3: class-agnostic edges, foreground IoU, misnamed share, named
    /// garments); absent in runs made before it existed.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public AlignmentResult? Alignment { get; init; }
    /// <summary>The split the metrics are on ("validation" or "test"); absent (validation) in runs made before test splits existed.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Split { get; init; }
    public required IReadOnlyList<ClassResult> Classes { get; init; }
    public required IReadOnlyList<string> AbsentClasses { get; init; }
    public required int EvalImages { get; init; }
    public required double EvalSeconds { get; init; }
    /// <summary>Multiply-accumulates of one forward pass at the evaluation resolution (GMACs; see FlopCounter).</summary>
    public required double GMacs { get; init; }
    public required IReadOnlyDictionary<string, long> Parameters { get; init; }
    public required string Runtime { get; init; }
    /// <summary>Git commit of the code that trained the run, and whether tracked files had uncommitted changes.</summary>
    public string Commit { get; init; } = "unknown";
    public bool Dirty { get; init; }

    public static RunMetrics From(EvaluationResult evaluation, RunConfig config, int seed, string hash, int iterations, double trainSeconds,
        double finalLoss, double gmacs, IReadOnlyDictionary<string, long> parameters, string runtime, Provenance provenance) => new()
    {
        Commit = provenance.Commit, Dirty = provenance.Dirty,
        ConfigHash = hash, Seed = seed, Dataset = config.Data.Dataset, Backbone = config.Model.Backbone, Decoder = config.Model.Decoder,
        Iterations = iterations, TrainSeconds = trainSeconds,
        ImagesPerSecond = trainSeconds > 0 ? (double)iterations * config.Train.BatchSize / trainSeconds : 0,
        FinalLoss = finalLoss,
        MeanIoU = evaluation.Metrics.MeanIoU, MeanAccuracy = evaluation.Metrics.MeanAccuracy, PixelAccuracy = evaluation.Metrics.PixelAccuracy,
        BoundaryF = evaluation.MeanBoundaryF,
        Alignment = evaluation.Alignment.Result(),
        Split = config.Data.EvaluatedSplit,
        TrimapMeanIoU = evaluation.TrimapMeanIoU.ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value),
        Classes = evaluation.Metrics.Classes.Select((c, i) => new ClassResult(c.Name, c.IoU, c.Accuracy, evaluation.BoundaryFPerClass[i], c.GroundTruthPixels, c.PredictedPixels)).ToList(),
        AbsentClasses = evaluation.Metrics.AbsentClasses.ToList(),
        EvalImages = evaluation.Images, EvalSeconds = evaluation.Seconds,
        GMacs = gmacs, Parameters = parameters, Runtime = runtime,
    };
}
