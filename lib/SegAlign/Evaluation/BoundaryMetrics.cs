namespace SegAlign.Evaluation;

/// <summary>Settings of the edge-sensitive metrics.</summary>
public sealed record BoundaryOptions
{
    /// <summary>Boundary F-score tolerance as a fraction of the image diagonal (SFSegNets' default 0.008); ≥ 1 means pixels.</summary>
    public double Tolerance { get; init; } = 0.008;
    /// <summary>Trimap band half-widths in pixels.</summary>
    public int[] TrimapWidths { get; init; } = [1, 2, 4];

    /// <summary>Throws <see cref="InputException"/> naming the option (as the CLI spells it) that is out of range.</summary>
    public BoundaryOptions Validate()
    {
        if (!(double.IsFinite(Tolerance) && Tolerance > 0))
            throw new InputException("--boundary-tolerance", $"must be a positive number, got {Tolerance}", "use a fraction of the image diagonal below 1 (e.g. 0.008) or pixels ≥ 1 (e.g. 2)");
        if (TrimapWidths.Length == 0 || TrimapWidths.Any(w => w < 1))
            throw new InputException("--trimap", $"band widths must be ≥ 1 pixel, got {string.Join(", ", TrimapWidths)}", "use e.g. --trimap 1 2 4");
        return this;
    }
}

/// <summary>
/// Edge metrics, accumulated image by image:
/// <list type="bullet">
/// <item>Boundary F-score (DAVIS-style, as SFSegNets utils/f_boundary.py): per class and image, 1-px boundaries of
/// the binary masks pred==c and gt==c (ignore pixels set to 0 first), each matched within a disk of radius
/// ⌈θ·diagonal⌉; P = matched predicted boundary / predicted boundary, R likewise for ground truth, F = 2PR/(P+R).
/// Deviation: an image where the class is absent from both masks is skipped, where SFSegNets scores it F = 1
/// (which inflates rare classes).</item>
/// <item>Trimap mIoU: mIoU over the pixels within w px (Chebyshev distance) of a ground-truth label boundary,
/// for each w in <see cref="BoundaryOptions.TrimapWidths"/>.</item>
/// </list>
/// </summary>
public sealed class BoundaryMetrics
{
    readonly int numClasses;
    readonly BoundaryOptions options;
    readonly double[] fSum;
    readonly int[] fCount;
    readonly ConfusionMatrix[] trimap;

    public BoundaryMetrics(int numClasses, BoundaryOptions options)
    {
        this.numClasses = numClasses; this.options = options;
        fSum = new double[numClasses]; fCount = new int[numClasses];
        trimap = options.TrimapWidths.Select(_ => new ConfusionMatrix(numClasses)).ToArray();
    }

    public void Add(byte[] prediction, byte[] label, int height, int width)
    {
        int radius = options.Tolerance >= 1 ? (int)options.Tolerance : (int)Math.Ceiling(options.Tolerance * Math.Sqrt(height * height + width * width));
        var disk = DiskOffsets(Math.Max(radius, 0));
        var predMask = new bool[prediction.Length];
        var gtMask = new bool[label.Length];
        for (int c = 0; c < numClasses; c++)
        {
            bool anyPred = false, anyGt = false;
            for (int i = 0; i < label.Length; i++)
            {
                bool ignored = label[i] == 255;
                predMask[i] = !ignored && prediction[i] == c;
                gtMask[i] = !ignored && label[i] == c;
                anyPred |= predMask[i]; anyGt |= gtMask[i];
            }
            if (!anyPred && !anyGt) continue;
            fSum[c] += FScore(BoundaryMap(predMask, height, width), BoundaryMap(gtMask, height, width), height, width, disk);
            fCount[c]++;
        }

        var edges = LabelBoundaryMap(label, height, width);
        for (int t = 0; t < trimap.Length; t++)
        {
            var band = Dilate(edges, height, width, options.TrimapWidths[t]);
            for (int i = 0; i < label.Length; i++)
                if (band[i] && label[i] != 255) trimap[t].Counts[label[i] * numClasses + prediction[i]]++;
        }
    }

    /// <summary>Mean boundary F (percent) per class; null where the class never appeared.</summary>
    public double?[] BoundaryFPerClass() =>
        Enumerable.Range(0, numClasses).Select(c => fCount[c] == 0 ? (double?)null : 100.0 * fSum[c] / fCount[c]).ToArray();

    public double MeanBoundaryF
    {
        get
        {
            var present = BoundaryFPerClass().Where(f => f.HasValue).Select(f => f!.Value).ToList();
            return present.Count == 0 ? double.NaN : present.Average();
        }
    }

    /// <summary>Trimap mIoU (percent) per band width.</summary>
    public IReadOnlyDictionary<int, double> TrimapMeanIoU(IReadOnlyList<string> classNames) =>
        options.TrimapWidths.Select((w, t) => (w, SegmentationMetrics.From(trimap[t], classNames).MeanIoU)).ToDictionary(p => p.w, p => p.Item2);

    static double FScore(bool[] predBoundary, bool[] gtBoundary, int height, int width, (int Dy, int Dx)[] disk)
    {
        int nPred = predBoundary.Count(b => b), nGt = gtBoundary.Count(b => b);
        if (nPred == 0 && nGt == 0) return 1;
        if (nPred == 0 || nGt == 0) return 0; // (P=1,R=0) or (P=0,R=1) → F = 0
        double precision = (double)Matched(predBoundary, gtBoundary, height, width, disk) / nPred;
        double recall = (double)Matched(gtBoundary, predBoundary, height, width, disk) / nGt;
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    // Boundary pixels of `from` that have a pixel of `to` within the disk.
    static int Matched(bool[] from, bool[] to, int height, int width, (int Dy, int Dx)[] disk)
    {
        int matched = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (!from[y * width + x]) continue;
                foreach (var (dy, dx) in disk)
                {
                    int yy = y + dy, xx = x + dx;
                    if (yy >= 0 && yy < height && xx >= 0 && xx < width && to[yy * width + xx]) { matched++; break; }
                }
            }
        return matched;
    }

    static (int, int)[] DiskOffsets(int radius)
    {
        var offsets = new List<(int, int)>();
        for (int dy = -radius; dy <= radius; dy++)
            for (int dx = -radius; dx <= radius; dx++)
                if (dy * dy + dx * dx <= radius * radius) offsets.Add((dy, dx));
        return offsets.OrderBy(o => o.Item1 * o.Item1 + o.Item2 * o.Item2).ToArray();
    }

    /// <summary>seg2bmap of a binary mask: a pixel is on the boundary if it differs from its right, lower or lower-right neighbour.</summary>
    public static bool[] BoundaryMap(bool[] mask, int height, int width)
    {
        var b = new bool[mask.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool v = mask[y * width + x];
                bool e = x + 1 < width && mask[y * width + x + 1] != v;
                bool s = y + 1 < height && mask[(y + 1) * width + x] != v;
                bool se = x + 1 < width && y + 1 < height && mask[(y + 1) * width + x + 1] != v;
                b[y * width + x] = e || s || se;
            }
        return b;
    }

    /// <summary>Multi-class label boundary: a pixel whose right or lower neighbour carries another label.</summary>
    public static bool[] LabelBoundaryMap(byte[] label, int height, int width)
    {
        var b = new bool[label.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                if (x + 1 < width && label[i + 1] != label[i]) { b[i] = true; b[i + 1] = true; }
                if (y + 1 < height && label[i + width] != label[i]) { b[i] = true; b[i + width] = true; }
            }
        return b;
    }

    /// <summary>Square (Chebyshev) dilation by <paramref name="radius"/>, as two 1-D passes.</summary>
    public static bool[] Dilate(bool[] mask, int height, int width, int radius)
    {
        var rows = new bool[mask.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int xx = Math.Max(0, x - radius); xx <= Math.Min(width - 1, x + radius); xx++)
                    if (mask[y * width + xx]) { rows[y * width + x] = true; break; }
        var result = new bool[mask.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int yy = Math.Max(0, y - radius); yy <= Math.Min(height - 1, y + radius); yy++)
                    if (rows[yy * width + x]) { result[y * width + x] = true; break; }
        return result;
    }
}
