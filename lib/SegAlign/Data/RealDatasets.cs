using SegAlign.Config;
using SegAlign.Data.Real;

namespace SegAlign.Data;

/// <summary>Loaders for published datasets (Cityscapes, ADE20K, CamVid, Pascal Context), registered with <see cref="DatasetRegistry"/>.</summary>
public static class RealDatasets
{
    public static IEnumerable<DatasetRegistry.Entry> Entries =>
    [
        Entry("cityscapes", Cityscapes.Open, "train", "val"),
        Entry("ade20k", Ade20k.Open, "training", "validation"),
        Entry("camvid", CamVid.Open, "train", "val"),
        Entry("pascal-context", PascalContext.Open, "train", "val"),
    ];

    // Training: the train split augmented per sample for the run seed. Validation: full, unaugmented images.
    static DatasetRegistry.Entry Entry(string name, Func<string, string, ISegmentationDataset> open, string trainSplit, string validationSplit) =>
        new(name,
            (config, seed) => new AugmentedDataset(open(Root(config, name), trainSplit), config.Augment, config.CropSize, seed),
            config => open(Root(config, name), validationSplit),
            IsReal: true);

    static string Root(DataConfig config, string name) =>
        string.IsNullOrWhiteSpace(config.Root)
            ? throw new InputException("data.root", $"is required for {name}", $"pass the folder that holds {name} in its published layout")
            : config.Root;
}
