using SegAlign.Config;

namespace SegAlign.Data;

/// <summary>
/// The classification task a backbone is pretrained on: one Fashion-MNIST item, drawn like a FashionScenes item
/// (random scale, position, tint, mirror, inversion), on a FashionScenes background. Only the train file is read:
/// its last <see cref="PretrainConfig.HeldOutImages"/> images form the held-out split that accuracy is measured on,
/// the rest the training split; the t10k images (the segmentation validation scenes) are never touched.
/// Sample i of a split is a pure function of (recipe seed, split, i).
/// </summary>
public sealed class FashionObjects
{
    readonly FashionMnistSplit source;
    readonly PretrainConfig recipe;
    readonly int[] images;          // indices into the train file that this split draws from
    readonly int[] labelOf = new int[10]; // Fashion-MNIST class → classifier output (−1: not pretrained on)
    readonly ulong stream;

    FashionObjects(FashionMnistSplit source, PretrainConfig recipe, string split, bool heldOut)
    {
        this.source = source; this.recipe = recipe;
        Array.Fill(labelOf, -1);
        var classes = recipe.ClassList;
        for (int i = 0; i < classes.Length; i++) labelOf[classes[i]] = i;
        if (source.Count <= recipe.HeldOutImages)
            throw new InputException("heldOutImages", $"is {recipe.HeldOutImages} but {source.Name} has only {source.Count} images", "lower heldOutImages");
        int first = heldOut ? source.Count - recipe.HeldOutImages : 0, end = heldOut ? source.Count : source.Count - recipe.HeldOutImages;
        images = [.. Enumerable.Range(first, end - first).Where(i => labelOf[source.Labels[i]] >= 0)];
        if (images.Length == 0) throw new InputException("classes", $"no {split} image of classes [{string.Join(", ", classes)}]", "check the recipe's classes");
        Name = $"fashion-objects/{split}";
        stream = Rng.Hash(Name);
    }

    public static FashionObjects Train(PretrainConfig recipe, string? folder = null) => new(FashionMnist.Load(folder).Train, recipe, "train", heldOut: false);

    public static FashionObjects HeldOut(PretrainConfig recipe, string? folder = null) => new(FashionMnist.Load(folder).Train, recipe, "held-out", heldOut: true);

    public string Name { get; }
    public int Classes => recipe.ClassList.Length;
    /// <summary>Distinct source images in the split.</summary>
    public int Count => images.Length;
    public int Size => recipe.ImageSize;
    /// <summary>The train-file indices this split draws from (for the disjointness test).</summary>
    public IReadOnlyList<int> SourceImages => images;

    /// <summary>
    /// Sample i: its image (any of the split's, with replacement), scale, position, mirror and colours all come from
    /// a generator seeded by (recipe seed, split, i), so a batch is the same whatever thread builds it.
    /// </summary>
    public (float[] Image, int Label) Get(long index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), $"sample {index} is negative");
        var rng = Rng.For((ulong)recipe.Seed, stream, (ulong)index);
        int image = images[rng.Next(images.Length)];
        int size = recipe.ImageSize;
        var pixels = new float[3 * size * size];
        FashionScenes.PaintBackground(rng, pixels, size);
        int side = Math.Max(8, (int)Math.Round(28 * rng.Uniform(recipe.MinScale, recipe.MaxScale)));
        int x0 = rng.Between(0, size - side), y0 = rng.Between(0, size - side);
        bool flip = rng.Chance(0.5), inverted = rng.Chance(0.3);
        Span<double> tint = stackalloc double[3];
        for (int c = 0; c < 3; c++) tint[c] = rng.Uniform(0.1, 1.0);
        FashionScenes.DrawItem(source.Image(image), pixels, size, x0, y0, side, flip, inverted, tint, static (_, _) => { });
        return (pixels, labelOf[source.Labels[image]]);
    }

    /// <summary>Samples [start, start + count) as one normalised NCHW batch (as FashionScenes batches) and its labels.</summary>
    public (float[] Images, long[] Labels) Batch(long start, int count)
    {
        int plane = 3 * Size * Size;
        var batch = new float[count * plane];
        var labels = new long[count];
        Parallel.For(0, count, i =>
        {
            var (image, label) = Get(start + i);
            int channelPlane = plane / 3;
            for (int p = 0; p < plane; p++)
            {
                int c = p / channelPlane;
                batch[i * plane + p] = (image[p] - FashionScenes.ChannelMean[c]) * (1f / FashionScenes.ChannelStd[c]);
            }
            labels[i] = label;
        });
        return (batch, labels);
    }
}
