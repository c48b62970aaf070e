namespace SegAlign.Evaluation;

/// <summary>Settings of the edge-sensitive metrics.</summary>
public sealed record BoundaryOptions
{
    /// <summary>Boundary F-score tolerance as a fraction of the image diagonal (SFSegNets' default 0.008); ≥ 1 means pixels.</summary>
    public double Tolerance { get; init; } = 0.008;
    /// <summary>Trimap band half-widths in pixels.</summary>
    public int[] TrimapWidths { get; init; } = [1, 2, 4];

    /// <summary>Throws <see cref="InputException"/> naming the setting that is out of range (the CLI shows its option).</summary>
    public BoundaryOptions Validate()
    {
        if (!(double.IsFinite(Tolerance) && Tolerance > 0))
            throw new InputException("boundary tolerance", $"must be a positive number, got {Tolerance}", "use a fraction of the image diagonal below 1 (e.g. 0.008) or pixels ≥ 1 (e.g. 2)");
        if (TrimapWidths.Length == 0 || TrimapWidths.Any(w => w < 1))
            throw new InputException("trimap widths", $"band widths must be ≥ 1 pixel, got {string.Join(", ", TrimapWidths)}", "use widths of 1 pixel or more, e.g. 1 2 4");
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
        var pred = ClassEdges.Of(predicted, label.Length, numClasses);
        var truth = ClassEdges.Of(groundTruth, label.Length, numClasses);
        // The masks of BoundaryMap: pred == c and gt == c, with ignore pixels in neither.
        pred.Collect(i => label[i] == 255 || prediction[i] >= numClasses ? -1 : prediction[i], height, width);
        truth.Collect(i => label[i] >= numClasses ? -1 : label[i], height, width);
        predicted = pred; groundTruth = truth;
        for (int c = 0; c < numClasses; c++)
        {
            if (!pred.Present[c] && !truth.Present[c]) continue;
            fSum[c] += FScore(pred, truth, c, width, height, disk);
            fCount[c]++;
        }
        pred.Clear(); truth.Clear();

        var edges = LabelBoundaryMap(label, height, width);
        for (int t = 0; t < trimap.Length; t++)
        {
            var band = Dilate(edges, height, width, options.TrimapWidths[t]);
            for (int i = 0; i < label.Length; i++)
                if (band[i] && label[i] != 255) trimap[t].Counts[label[i] * numClasses + prediction[i]]++;
        }
    }

    ClassEdges? predicted, groundTruth; // reused between images

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

    static double FScore(ClassEdges pred, ClassEdges truth, int c, int width, int height, (int Dy, int Dx)[] disk)
    {
        int nPred = pred.Count[c], nGt = truth.Count[c];
        if (nPred == 0 && nGt == 0) return 1;
        if (nPred == 0 || nGt == 0) return 0; // (P=1,R=0) or (P=0,R=1) → F = 0
        double precision = (double)Matched(pred, truth, c, width, height, disk) / nPred;
        double recall = (double)Matched(truth, pred, c, width, height, disk) / nGt;
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    // Boundary pixels of class c in `from` that have a class-c boundary pixel of `to` within the disk.
    static int Matched(ClassEdges from, ClassEdges to, int c, int width, int height, (int Dy, int Dx)[] disk)
    {
        int matched = 0;
        var target = to.Map[c];
        foreach (int i in from.Pixels(c))
        {
            int y = i / width, x = i % width;
            foreach (var (dy, dx) in disk)
            {
                int yy = y + dy, xx = x + dx;
                if (yy >= 0 && yy < height && xx >= 0 && xx < width && target[yy * width + xx]) { matched++; break; }
            }
        }
        return matched;
    }

    /// <summary>
    /// Every class's <see cref="BoundaryMap"/> from one pass over a label map: a pixel lies on the boundary of class c's
    /// mask when it or its right, lower or lower-right neighbour belongs to c and another of them does not, so each pixel
    /// is on at most four classes' boundaries. Kept as per-class bitmaps (for matching) and pixel lists (for counting).
    /// </summary>
    sealed class ClassEdges
    {
        public readonly bool[][] Map;
        public readonly int[][] List;
        public readonly int[] Count;
        public readonly bool[] Present;

        ClassEdges(int pixels, int classes)
        {
            Map = new bool[classes][]; List = new int[classes][];
            for (int c = 0; c < classes; c++) { Map[c] = new bool[pixels]; List[c] = new int[pixels]; }
            Count = new int[classes]; Present = new bool[classes];
        }

        public static ClassEdges Of(ClassEdges? previous, int pixels, int classes) =>
            previous is not null && previous.Map.Length == classes && previous.Map[0].Length == pixels ? previous : new ClassEdges(pixels, classes);

        public ReadOnlySpan<int> Pixels(int c) => List[c].AsSpan(0, Count[c]);

        /// <summary><paramref name="classOf"/> gives the class whose mask holds a pixel, or −1 for none.</summary>
        public void Collect(Func<int, int> classOf, int height, int width)
        {
            var row = new int[width];
            var below = new int[width];
            for (int x = 0; x < width; x++) row[x] = classOf(x);
            for (int y = 0; y < height; y++)
            {
                bool last = y + 1 == height;
                for (int x = 0; x < width; x++) below[x] = last ? -1 : classOf((y + 1) * width + x);
                for (int x = 0; x < width; x++)
                {
                    int i = y * width + x, own = row[x];
                    if (own >= 0) Present[own] = true;
                    bool right = x + 1 < width;
                    // The neighbours BoundaryMap compares with (absent ones compare equal).
                    int e = right ? row[x + 1] : own, s = last ? own : below[x], se = right && !last ? below[x + 1] : own;
                    if (e == own && s == own && se == own) continue;
                    if (own >= 0) Mark(own, i);
                    if (e >= 0 && e != own) Mark(e, i);
                    if (s >= 0 && s != own) Mark(s, i);
                    if (se >= 0 && se != own) Mark(se, i);
                }
                (row, below) = (below, row);
            }
        }

        void Mark(int c, int i)
        {
            if (Map[c][i]) return;
            Map[c][i] = true;
            List[c][Count[c]++] = i;
        }

        public void Clear()
        {
            for (int c = 0; c < Map.Length; c++)
            {
                foreach (int i in Pixels(c)) Map[c][i] = false;
                Count[c] = 0; Present[c] = false;
            }
        }
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
        for (int y = 0; y < height; y++) Dilate1D(mask, rows, y * width, 1, width, radius);
        var result = new bool[mask.Length];
        for (int x = 0; x < width; x++) Dilate1D(rows, result, x, width, height, radius);
        return result;
    }

    // One line of `length` cells from `start` in steps of `stride`: a cell is set when a set cell lies within
    // `radius` cells of it — found from the nearest set cell on either side, so the cost does not grow with the radius.
    static void Dilate1D(bool[] from, bool[] to, int start, int stride, int length, int radius)
    {
        int nearest = int.MinValue / 2; // index of the last set cell seen
        for (int k = 0; k < length; k++)
        {
            if (from[start + k * stride]) nearest = k;
            to[start + k * stride] = k - nearest <= radius;
        }
        nearest = int.MaxValue / 2;
        for (int k = length - 1; k >= 0; k--)
        {
            if (from[start + k * stride]) nearest = k;
            if (nearest - k <= radius) to[start + k * stride] = true;
        }
    }
}
