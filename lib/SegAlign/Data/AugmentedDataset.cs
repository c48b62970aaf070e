using SegAlign.Config;

namespace SegAlign.Data;

/// <summary>
/// A training split seen through <see cref="Augment.Apply"/>: sample i is augmented with a generator
/// seeded by (run seed, dataset name, i), so it is a pure function of the seed and the index, whatever
/// order or thread asks for it. Indices at or past <see cref="Count"/> wrap to image i mod Count with a
/// fresh augmentation, so a trainer that numbers its samples across epochs gets new crops every epoch.
/// </summary>
public sealed class AugmentedDataset : ISegmentationDataset
{
    readonly ISegmentationDataset inner;
    readonly AugmentOptions options;
    readonly int? cropSize;
    readonly ulong seed;
    readonly ulong stream;

    public AugmentedDataset(ISegmentationDataset inner, AugmentOptions options, int? cropSize, int seed)
    {
        options.Validate("data.augment");
        if (inner.Count < 1) throw new ArgumentException($"{inner.Name} has no samples to augment", nameof(inner));
        if (cropSize is < 1) throw new InputException("data.cropSize", $"must be ≥ 1, got {cropSize}", "use e.g. 512");
        this.inner = inner; this.options = options; this.cropSize = cropSize; this.seed = (ulong)seed;
        stream = Rng.Hash(inner.Name + "/augment");
    }

    /// <summary>The dataset this one augments.</summary>
    public ISegmentationDataset Source => inner;
    public string Name => inner.Name;
    public int NumClasses => inner.NumClasses;
    public IReadOnlyList<string> ClassNames => inner.ClassNames;
    public IReadOnlyList<(byte R, byte G, byte B)> Palette => inner.Palette;
    /// <summary>The number of distinct images (one epoch).</summary>
    public int Count => inner.Count;
    public (float[] Mean, float[] Std) Normalisation => inner.Normalisation;

    public Sample Get(int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), $"sample {index} is negative");
        var rng = Rng.For(seed, stream, (ulong)index);
        return Augment.Apply(inner.Get(index % inner.Count), options, cropSize, rng);
    }
}
