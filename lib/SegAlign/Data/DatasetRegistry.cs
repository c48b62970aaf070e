using SegAlign.Config;

namespace SegAlign.Data;

/// <summary>Datasets by name: how to build a run's training stream and its validation split.</summary>
public static class DatasetRegistry
{
    /// <param name="Name">Config name.</param>
    /// <param name="Train">Training split for a run seed (FashionScenes: a seed-dependent stream).</param>
    /// <param name="Validation">Validation split.</param>
    /// <param name="IsReal">True for datasets read from disk in their published layout (need data.root and data.cropSize).</param>
    public sealed record Entry(string Name, Func<DataConfig, int, ISegmentationDataset> Train, Func<DataConfig, ISegmentationDataset> Validation, bool IsReal);

    static readonly Dictionary<string, Entry> entries = new Entry[]
    {
        new("fashion-scenes", (c, seed) => Augmented(FashionScenes.Train(c.FashionScenes, seed, c.Root), c, seed), c => FashionScenes.Validation(c.FashionScenes, c.Root), false),
    }.Concat(RealDatasets.Entries).ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyCollection<string> Names => entries.Keys;

    /// <summary>Generated scenes are augmented only when asked (flip, scale), cropped back to the scene size.</summary>
    static ISegmentationDataset Augmented(FashionScenes scenes, DataConfig config, int seed) =>
        config.Augment.IsIdentity ? scenes : new AugmentedDataset(scenes, config.Augment, config.CropSize ?? config.FashionScenes.Size, seed);

    public static Entry Get(string name) =>
        entries.TryGetValue(name, out var entry)
            ? entry
            : throw new InputException("data.dataset", $"unknown dataset '{name}'", $"use one of: {string.Join(", ", entries.Keys)}");

    public static void Validate(DataConfig data)
    {
        var entry = Get(data.Dataset);
        if (!entry.IsReal)
        {
            data.FashionScenes.Validate("data.fashionScenes");
            return;
        }
        if (string.IsNullOrWhiteSpace(data.Root))
            throw new InputException("data.root", $"is required for {entry.Name}", $"pass the folder that holds {entry.Name} in its published layout");
        if (!Directory.Exists(data.Root))
            throw new InputException("data.root", $"folder '{data.Root}' does not exist", $"pass the folder that holds {entry.Name}");
        if (data.CropSize is null)
            throw new InputException("data.cropSize", $"is required for {entry.Name} (training uses square crops)", "use e.g. 512 (769 for Cityscapes as in IFA)");
    }

    public static ISegmentationDataset CreateTrain(DataConfig data, int seed) => Get(data.Dataset).Train(data, seed);

    public static ISegmentationDataset CreateValidation(DataConfig data) => Get(data.Dataset).Validation(data);

    /// <summary>The split a run is scored on (<see cref="DataConfig.EvaluationSplit"/>): the validation split, or the test split.</summary>
    public static ISegmentationDataset CreateEvaluation(DataConfig data)
    {
        if (data.EvaluatedSplit == "validation") return CreateValidation(data);
        if (!data.Dataset.Equals("fashion-scenes", StringComparison.OrdinalIgnoreCase))
            throw new InputException("data.evaluationSplit", $"\"test\" exists only for fashion-scenes, not {data.Dataset}", "use \"validation\" (the published datasets' test labels are withheld)");
        return FashionScenes.Test(data.FashionScenes, data.Root);
    }
}
