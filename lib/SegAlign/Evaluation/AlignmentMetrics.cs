using System.Globalization;
using System.Text;

using SegAlign.Data;

namespace SegAlign.Evaluation;

/// <summary>
/// One image's additive counts of the alignment metrics: every run-level value is a ratio of sums over images, so a
/// bootstrap over images recomputes it from these rows alone (as <see cref="PerImageCounts"/> does for mIoU).
/// </summary>
public sealed record AlignmentCounts(
    double EdgeF1, double EdgeF2, int EdgeImages,
    long ForegroundIntersection, long ForegroundUnion,
    long GarmentPixels, long MisnamedPixels,
    int Items, int NamedItems, double NamedItemIoUSum, double NamedItemBoundaryFSum)
{
    public static readonly AlignmentCounts Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public AlignmentCounts Plus(AlignmentCounts o) => new(EdgeF1 + o.EdgeF1, EdgeF2 + o.EdgeF2, EdgeImages + o.EdgeImages,
        ForegroundIntersection + o.ForegroundIntersection, ForegroundUnion + o.ForegroundUnion, GarmentPixels + o.GarmentPixels,
        MisnamedPixels + o.MisnamedPixels, Items + o.Items, NamedItems + o.NamedItems, NamedItemIoUSum + o.NamedItemIoUSum,
        NamedItemBoundaryFSum + o.NamedItemBoundaryFSum);

    /// <summary>The run-level metrics (percentages) these sums stand for.</summary>
    public AlignmentResult ToResult(bool withItems) => new()
    {
        EdgeF1 = EdgeImages == 0 ? double.NaN : 100 * EdgeF1 / EdgeImages,
        EdgeF2 = EdgeImages == 0 ? double.NaN : 100 * EdgeF2 / EdgeImages,
        ForegroundIoU = ForegroundUnion == 0 ? double.NaN : 100.0 * ForegroundIntersection / ForegroundUnion,
        MisnamedShare = GarmentPixels == 0 ? double.NaN : 100.0 * MisnamedPixels / GarmentPixels,
        NamedItemShare = withItems && Items > 0 ? 100.0 * NamedItems / Items : null,
        NamedItemIoU = withItems && NamedItems > 0 ? 100 * NamedItemIoUSum / NamedItems : null,
        NamedItemBoundaryF = withItems && NamedItems > 0 ? 100 * NamedItemBoundaryFSum / NamedItems : null,
    };
}

/// <summary>
/// Alignment measured apart from recognition (protocol v3), in metrics.json. Class-agnostic edges ignore which class lies on
/// either side, so a garment named wrongly but outlined rightly keeps its score there and loses it in mIoU instead.
/// </summary>
public sealed record AlignmentResult
{
    /// <summary>Class-agnostic boundary F (%) within 1 px: label-change edges (object–background and item–item), labels ignored.</summary>
    public double EdgeF1 { get; init; }
    /// <summary>The same within 2 px.</summary>
    public double EdgeF2 { get; init; }
    /// <summary>Foreground/background IoU (%): every garment class merged into one.</summary>
    public double ForegroundIoU { get; init; }
    /// <summary>Share (%) of ground-truth garment pixels labelled as another garment (naming errors, not localisation).</summary>
    public double MisnamedShare { get; init; }
    /// <summary>FashionScenes: share (%) of garments named right (the class most of their visible pixels get).</summary>
    public double? NamedItemShare { get; init; }
    /// <summary>FashionScenes: mean mask IoU (%) of the garments named right, each within its box grown by 3 px.</summary>
    public double? NamedItemIoU { get; init; }
    /// <summary>FashionScenes: mean boundary F (%, 2 px) of the garments named right, in the same windows.</summary>
    public double? NamedItemBoundaryF { get; init; }

    /// <summary>The metric names claims and tables use, with their values (items only where measured).</summary>
    public IEnumerable<(string Name, double Value)> Named()
    {
        yield return ("edgeF1", EdgeF1);
        yield return ("edgeF2", EdgeF2);
        yield return ("foregroundIoU", ForegroundIoU);
        yield return ("misnamedShare", MisnamedShare);
        if (NamedItemShare is double s) yield return ("namedItemShare", s);
        if (NamedItemIoU is double i) yield return ("namedItemIoU", i);
        if (NamedItemBoundaryF is double f) yield return ("namedItemBoundaryF", f);
    }

    public static readonly string[] Names = ["edgeF1", "edgeF2", "foregroundIoU", "misnamedShare", "namedItemShare", "namedItemIoU", "namedItemBoundaryF"];
}

/// <summary>
/// Accumulates <see cref="AlignmentCounts"/> image by image in the evaluator's one pass. Definitions:
/// <list type="bullet">
/// <item>Edges: a pixel whose right or lower neighbour carries another label (both pixels marked), on the prediction and on
/// the ground truth alike; pixels the ground truth ignores (255) are ignored in both maps. Matching within r px uses a square
/// (Chebyshev) window. Per image P = matched predicted edges / predicted edges, R likewise, F = 2PR/(P+R); an image with no
/// edge in either map is skipped, one with edges in one map only scores 0. The run's value is the mean over images.</item>
/// <item>Foreground IoU and the misnamed share come from pixel counts summed over the split (classes ≥ 1 are garments).</item>
/// <item>Items (when the owner map is known): a garment is named right when most of its labelled visible pixels get its
/// class; its mask IoU compares its own pixels with the pixels predicted as its class inside its bounding box grown by
/// 3 px, leaving out pixels of other garments of the same class; its boundary F uses the two masks' edges in that window, 2 px.</item>
/// </list>
/// </summary>
public sealed class AlignmentMetrics(int numClasses)
{
    const int ItemMargin = 3;
    readonly List<AlignmentCounts> images = [];

    public IReadOnlyList<AlignmentCounts> Images => images;
    public bool HasItems { get; private set; }

    /// <summary>Adds one image; <paramref name="owner"/> (0 = background, items from 1) enables the item metrics.</summary>
    public void Add(byte[] prediction, byte[] label, int height, int width, byte[]? owner = null)
    {
        var (f1, f2, edgeImage) = EdgeScores(prediction, label, height, width);
        long fgI = 0, fgU = 0, garment = 0, misnamed = 0;
        for (int p = 0; p < label.Length; p++)
        {
            byte gt = label[p];
            if (gt == Sample.Ignore) continue;
            byte pr = prediction[p];
            if (pr >= numClasses) throw new ArgumentException($"prediction {pr} at pixel {p} is not a class (0..{numClasses - 1})");
            bool g = gt != 0, q = pr != 0;
            if (g && q) fgI++;
            if (g || q) fgU++;
            if (g) { garment++; if (q && pr != gt) misnamed++; }
        }
        int items = 0, named = 0;
        double iouSum = 0, bfSum = 0;
        if (owner is not null)
        {
            HasItems = true;
            (items, named, iouSum, bfSum) = ItemScores(prediction, label, owner, height, width);
        }
        images.Add(new AlignmentCounts(f1, f2, edgeImage ? 1 : 0, fgI, fgU, garment, misnamed, items, named, iouSum, bfSum));
    }

    public AlignmentCounts Total() => images.Aggregate(AlignmentCounts.Zero, (a, b) => a.Plus(b));

    public AlignmentResult Result() => Total().ToResult(HasItems);

    static (double F1, double F2, bool Counted) EdgeScores(byte[] prediction, byte[] label, int height, int width)
    {
        var predicted = (byte[])prediction.Clone();
        for (int p = 0; p < label.Length; p++) if (label[p] == Sample.Ignore) predicted[p] = Sample.Ignore;
        var predEdges = BoundaryMetrics.LabelBoundaryMap(predicted, height, width);
        var truthEdges = BoundaryMetrics.LabelBoundaryMap(label, height, width);
        for (int p = 0; p < label.Length; p++)
            if (label[p] == Sample.Ignore) { predEdges[p] = false; truthEdges[p] = false; }
        if (!predEdges.Contains(true) && !truthEdges.Contains(true)) return (0, 0, false);
        return (EdgeF(predEdges, truthEdges, height, width, 1), EdgeF(predEdges, truthEdges, height, width, 2), true);
    }

    /// <summary>Boundary F of two edge maps matched within <paramref name="radius"/> px (square window); 0 when either is empty.</summary>
    internal static double EdgeF(bool[] predicted, bool[] truth, int height, int width, int radius)
    {
        var nearTruth = BoundaryMetrics.Dilate(truth, height, width, radius);
        var nearPredicted = BoundaryMetrics.Dilate(predicted, height, width, radius);
        long pCount = 0, pMatched = 0, tCount = 0, tMatched = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            if (predicted[i]) { pCount++; if (nearTruth[i]) pMatched++; }
            if (truth[i]) { tCount++; if (nearPredicted[i]) tMatched++; }
        }
        if (pCount == 0 || tCount == 0) return 0;
        double precision = (double)pMatched / pCount, recall = (double)tMatched / tCount;
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    (int Items, int Named, double IoUSum, double BoundaryFSum) ItemScores(byte[] prediction, byte[] label, byte[] owner, int height, int width)
    {
        int maxItem = 0;
        foreach (var o in owner) maxItem = Math.Max(maxItem, o);
        int items = 0, named = 0;
        double iouSum = 0, bfSum = 0;
        for (int item = 1; item <= maxItem; item++)
        {
            int cls = -1, top = height, left = width, bottom = -1, right = -1;
            var votes = new int[numClasses];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int p = y * width + x;
                    if (owner[p] != item || label[p] == Sample.Ignore) continue;
                    cls = label[p];
                    votes[prediction[p]]++;
                    top = Math.Min(top, y); bottom = Math.Max(bottom, y); left = Math.Min(left, x); right = Math.Max(right, x);
                }
            if (cls < 0) continue; // covered by later items, or an ignored fragment
            items++;
            int majority = 0;
            for (int c = 1; c < numClasses; c++) if (votes[c] > votes[majority]) majority = c;
            if (majority != cls) continue;
            named++;
            top = Math.Max(0, top - ItemMargin); left = Math.Max(0, left - ItemMargin);
            bottom = Math.Min(height - 1, bottom + ItemMargin); right = Math.Min(width - 1, right + ItemMargin);
            int h = bottom - top + 1, w = right - left + 1;
            var truth = new bool[h * w];
            var predicted = new bool[h * w];
            long intersection = 0, union = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int p = (top + y) * width + left + x;
                    bool mine = owner[p] == item && label[p] != Sample.Ignore;
                    bool sibling = !mine && label[p] == cls; // another garment of the same class: not this item's error
                    truth[y * w + x] = mine;
                    predicted[y * w + x] = !sibling && prediction[p] == cls;
                    if (mine && predicted[y * w + x]) intersection++;
                    if (mine || predicted[y * w + x]) union++;
                }
            iouSum += union == 0 ? 0 : (double)intersection / union;
            bfSum += EdgeF(BoundaryMetrics.BoundaryMap(predicted, h, w), BoundaryMetrics.BoundaryMap(truth, h, w), h, w, 2);
        }
        return (items, named, iouSum, bfSum);
    }

    const string Header = "image,edge_f1,edge_f2,edge_image,fg_intersection,fg_union,garment_px,misnamed_px,items,named_items,named_iou_sum,named_boundary_f_sum";

    /// <summary>per_image_alignment.csv: one row per image, the additive counts.</summary>
    public string ToCsv()
    {
        var s = new StringBuilder(Header).Append('\n');
        for (int i = 0; i < images.Count; i++)
        {
            var a = images[i];
            s.Append(CultureInfo.InvariantCulture, $"{i},{a.EdgeF1:R},{a.EdgeF2:R},{a.EdgeImages},{a.ForegroundIntersection},{a.ForegroundUnion},{a.GarmentPixels},{a.MisnamedPixels},{a.Items},{a.NamedItems},{a.NamedItemIoUSum:R},{a.NamedItemBoundaryFSum:R}\n");
        }
        return s.ToString();
    }

    public static IReadOnlyList<AlignmentCounts> Parse(string csv, string where)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != Header)
            throw new InputException(where, "does not start with the per-image alignment header", "delete it and evaluate the run again (segalign eval)");
        var rows = new List<AlignmentCounts>(lines.Length - 1);
        for (int r = 1; r < lines.Length; r++)
        {
            var f = lines[r].Split(',');
            try
            {
                if (f.Length != 12) throw new FormatException($"{f.Length} fields, expected 12");
                double D(int i) => double.Parse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture);
                long L(int i) => long.Parse(f[i], NumberStyles.None, CultureInfo.InvariantCulture);
                rows.Add(new AlignmentCounts(D(1), D(2), (int)L(3), L(4), L(5), L(6), L(7), (int)L(8), (int)L(9), D(10), D(11)));
            }
            catch (FormatException e)
            {
                throw new InputException($"{where} line {r + 1}", $"is not a row of counts ({e.Message})", "delete it and evaluate the run again (segalign eval)");
            }
        }
        return rows;
    }
}
