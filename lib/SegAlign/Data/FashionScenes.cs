using SegAlign.Config;

namespace SegAlign.Data;

/// <summary>
/// FashionScenes: the CPU benchmark. Each scene composites several real Fashion-MNIST items at random
/// scales, positions, tints and flips, with occlusion, over a textured background (coloured gratings
/// plus noise), so that neither a threshold, nor a colour, nor one global class solves it.
/// Labels: 0 background, 1–10 the Fashion-MNIST classes, 255 for unrecognisably small visible fragments.
/// Scene i of a split is a pure function of (split, seed, i); train scenes draw only train images,
/// validation scenes only t10k images.
/// </summary>
public sealed class FashionScenes : ISegmentationDataset
{
    public static readonly string[] Names = ["background", .. FashionMnist.ClassNames];
    static readonly IReadOnlyList<(byte, byte, byte)> palette = [(40, 40, 40), .. Datasets.MakePalette(10)];

    readonly FashionMnistSplit source;
    readonly FashionScenesOptions options;
    readonly ulong seed;
    readonly ulong stream;

    FashionScenes(string split, FashionMnistSplit source, FashionScenesOptions options, int seed, int count)
    {
        this.source = source; this.options = options; this.seed = (ulong)seed; Count = count;
        Name = $"fashion-scenes/{split}";
        stream = Rng.Hash(Name);
    }

    /// <summary>
    /// The training split of a run: unbounded (scene i depends on (run seed, i)) or, with TrainScenes &gt; 0, the
    /// fixed set every run shares (the run seed then only orders it; see BatchStream).
    /// </summary>
    public static FashionScenes Train(FashionScenesOptions options, int seed, string? folder = null)
    {
        options.Validate("data");
        var images = FashionMnist.Load(folder).Train;
        return options.TrainScenes > 0
            ? new FashionScenes("train", images, options, options.TrainSeed, options.TrainScenes)
            : new FashionScenes("train", images, options, seed, int.MaxValue);
    }

    /// <summary>The validation split: <see cref="FashionScenesOptions.ValidationScenes"/> scenes from the t10k images.</summary>
    public static FashionScenes Validation(FashionScenesOptions options, string? folder = null)
    {
        options.Validate("data");
        return new FashionScenes("val", FashionMnist.Load(folder).Test, options, options.ValidationSeed, options.ValidationScenes);
    }

    /// <summary>The test split (protocol v3): <see cref="FashionScenesOptions.TestScenes"/> scenes from the t10k images, on a
    /// stream of their own ("fashion-scenes/test") and <see cref="FashionScenesOptions.TestSeed"/>, so no scene repeats a validation scene.</summary>
    public static FashionScenes Test(FashionScenesOptions options, string? folder = null)
    {
        options.Validate("data");
        if (options.TestScenes is not int count)
            throw new InputException("data.fashionScenes.testScenes", "is not set, so there is no test split", "set e.g. 1000 (protocol v3's full preset does)");
        return new FashionScenes("test", FashionMnist.Load(folder).Test, options, options.TestSeed ?? 1, count);
    }

    public string Name { get; }
    public int NumClasses => 11;
    public IReadOnlyList<string> ClassNames => Names;
    public IReadOnlyList<(byte R, byte G, byte B)> Palette => palette;
    public int Count { get; }
    public (float[] Mean, float[] Std) Normalisation => ([.. ChannelMean], [.. ChannelStd]);
    /// <summary>Per-channel normalisation of every FashionScenes-drawn image (scenes and pretraining objects).</summary>
    internal static readonly float[] ChannelMean = [0.5f, 0.5f, 0.5f], ChannelStd = [0.25f, 0.25f, 0.25f];

    public Sample Get(int index) => GetWithItems(index).Sample;

    /// <summary>
    /// Scene <paramref name="index"/> and which item owns each pixel (1-based in drawing order, 0 = background; pixels
    /// of an item that later items cover belong to those), for item-level analyses such as <c>ItemRecognition</c>.
    /// </summary>
    public (Sample Sample, byte[] Owner) GetWithItems(int index)
    {
        // Training samplers count across epochs (index = epoch·Count + i); a fixed set repeats its scenes.
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), $"scene {index} is negative");
        index %= Count;
        var rng = Rng.For(seed, stream, (ulong)index);
        int size = options.Size, plane = size * size;
        var image = GC.AllocateUninitializedArray<float>(3 * plane); // PaintBackground writes every pixel
        var label = new byte[plane];
        var owner = new byte[plane]; // which item (1-based) owns each pixel, for the fragment rule
        PaintBackground(rng, image, size);

        int items = rng.Between(options.MinItems, options.MaxItems);
        for (int item = 1; item <= items; item++)
            PaintItem(rng, image, label, owner, size, (byte)item);

        if (options.MinVisiblePixels > 0) IgnoreTinyFragments(label, owner, items);
        return (new Sample(image, label, size, size, $"{Name}/{seed}/{index}"), owner);
    }

    // Coloured gratings: a per-channel base colour plus three oriented sinusoids and pixel noise.
    internal static void PaintBackground(Rng rng, float[] image, int size)
    {
        int plane = size * size;
        Span<double> baseColour = stackalloc double[3];
        for (int c = 0; c < 3; c++) baseColour[c] = rng.Uniform(0.15, 0.85);
        const int gratings = 3;
        Span<double> fx = stackalloc double[gratings], fy = stackalloc double[gratings], phase = stackalloc double[gratings];
        Span<double> amplitude = stackalloc double[gratings * 3];
        for (int g = 0; g < gratings; g++)
        {
            double frequency = rng.Uniform(1, 8) * 2 * Math.PI / size, angle = rng.Uniform(0, Math.PI);
            fx[g] = frequency * Math.Cos(angle); fy[g] = frequency * Math.Sin(angle); phase[g] = rng.Uniform(0, 2 * Math.PI);
            for (int c = 0; c < 3; c++) amplitude[g * 3 + c] = rng.Uniform(-0.2, 0.2);
        }
        double noise = rng.Uniform(0.0, 0.06);
        // sin(fx·x + fy·y + φ) = sin(fx·x + φ)·cos(fy·y) + cos(fx·x + φ)·sin(fy·y): per-axis tables, no per-pixel sin.
        var sinX = new double[gratings * size]; var cosX = new double[gratings * size];
        var sinY = new double[gratings * size]; var cosY = new double[gratings * size];
        for (int g = 0; g < gratings; g++)
            for (int i = 0; i < size; i++)
            {
                (sinX[g * size + i], cosX[g * size + i]) = Math.SinCos(fx[g] * i + phase[g]);
                (sinY[g * size + i], cosY[g * size + i]) = Math.SinCos(fy[g] * i);
            }
        // Per row: each grating's wave, shared by the three channels, then one noise draw per pixel and channel in
        // pixel-major order (the generator's sequence fixes the scene, so the draw order must not change).
        var wave = new double[gratings * size];
        var draws = new double[3 * size];
        for (int y = 0; y < size; y++)
        {
            for (int g = 0; g < gratings; g++)
            {
                double cy = cosY[g * size + y], sy = sinY[g * size + y];
                for (int x = 0; x < size; x++) wave[g * size + x] = sinX[g * size + x] * cy + cosX[g * size + x] * sy;
            }
            rng.FillDoubles(draws);
            for (int c = 0; c < 3; c++)
            {
                double colour = baseColour[c], a0 = amplitude[c], a1 = amplitude[3 + c], a2 = amplitude[6 + c];
                var row = image.AsSpan(c * plane + y * size, size);
                for (int x = 0; x < size; x++)
                {
                    double v = colour;
                    v += a0 * wave[x];
                    v += a1 * wave[size + x];
                    v += a2 * wave[2 * size + x];
                    v += noise * (draws[3 * x + c] * 2 - 1);
                    row[x] = (float)Math.Clamp(v, 0, 1);
                }
            }
        }
    }

    void PaintItem(Rng rng, float[] image, byte[] label, byte[] owner, int size, byte item)
    {
        int index = rng.Next(source.Count);
        var grey = source.Image(index);
        byte cls = (byte)(source.Labels[index] + 1);
        int side = Math.Max(8, (int)Math.Round(28 * rng.Uniform(options.MinScale, options.MaxScale)));
        // Up to a quarter of an item may fall outside the scene.
        int x0 = rng.Between(-side / 4, size - 3 * side / 4), y0 = rng.Between(-side / 4, size - 3 * side / 4);
        bool flip = rng.Chance(0.5), inverted = rng.Chance(options.InvertProbability);
        Span<double> tint = stackalloc double[3];
        for (int c = 0; c < 3; c++) tint[c] = rng.Uniform(options.MinTint, 1.0);
        DrawItem(grey, image, size, x0, y0, side, flip, inverted, tint, (p, covered) => { if (covered) { label[p] = cls; owner[p] = item; } });
    }

    /// <summary>
    /// Composites one 28×28 grey item, resized to side×side at (x0, y0), tinted and optionally mirrored or inverted,
    /// over <paramref name="image"/>; <paramref name="cover"/> hears every touched pixel and whether the item owns it (alpha ≥ ½).
    /// </summary>
    internal static void DrawItem(ReadOnlySpan<byte> grey, float[] image, int size, int x0, int y0, int side, bool flip, bool inverted,
        ReadOnlySpan<double> tint, Action<int, bool> cover)
    {
        int plane = size * size;
        double scale = 28.0 / side;
        for (int ty = Math.Max(0, y0); ty < Math.Min(size, y0 + side); ty++)
            for (int tx = Math.Max(0, x0); tx < Math.Min(size, x0 + side); tx++)
            {
                // Sample the 28×28 source at this pixel's centre (bilinear, edge-clamped).
                double sx = (tx - x0 + 0.5) * scale - 0.5, sy = (ty - y0 + 0.5) * scale - 0.5;
                if (flip) sx = 27 - sx;
                var (g, alpha) = SampleItem(grey, sx, sy);
                if (alpha <= 0) continue;
                int p = ty * size + tx;
                double texture = inverted ? 1 - 0.7 * g : 0.3 + 0.7 * g;
                for (int c = 0; c < 3; c++)
                {
                    int i = c * plane + p;
                    image[i] = (float)(alpha * tint[c] * texture + (1 - alpha) * image[i]);
                }
                cover(p, alpha >= 0.5);
            }
    }

    // Returns the grey level in [0, 1] and the coverage alpha (bilinear of the binary object mask).
    static (double Grey, double Alpha) SampleItem(ReadOnlySpan<byte> grey, double sx, double sy)
    {
        const int side = FashionMnistSplit.Side;
        const byte objectLevel = 8; // Fashion-MNIST backgrounds are (near) zero
        int ix = (int)Math.Floor(sx), iy = (int)Math.Floor(sy);
        double fx = sx - ix, fy = sy - iy, g = 0, a = 0;
        for (int dy = 0; dy <= 1; dy++)
            for (int dx = 0; dx <= 1; dx++)
            {
                int px = ix + dx, py = iy + dy;
                double w = (dx == 0 ? 1 - fx : fx) * (dy == 0 ? 1 - fy : fy);
                if (px < 0 || py < 0 || px >= side || py >= side) continue;
                byte v = grey[py * side + px];
                if (v < objectLevel) continue;
                g += w * v / 255.0;
                a += w;
            }
        return (a > 0 ? g / a : 0, a);
    }

    void IgnoreTinyFragments(byte[] label, byte[] owner, int items)
    {
        Span<int> visible = stackalloc int[items + 1];
        foreach (var o in owner) visible[o]++;
        for (int p = 0; p < owner.Length; p++)
            if (owner[p] != 0 && visible[owner[p]] < options.MinVisiblePixels) label[p] = Sample.Ignore;
    }
}
