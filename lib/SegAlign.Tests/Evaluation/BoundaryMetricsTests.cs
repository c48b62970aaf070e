using SegAlign.Data;
using SegAlign.Evaluation;

namespace SegAlign.Tests.Evaluation;

public class BoundaryMetricsTests
{
    // A 12×12 map: class 1 in a square block [3,9)×[3,9), class 0 elsewhere.
    static byte[] Square(int shift = 0)
    {
        var map = new byte[144];
        for (int y = 3; y < 9; y++)
            for (int x = 3 + shift; x < 9 + shift; x++)
                if (x is >= 0 and < 12) map[y * 12 + x] = 1;
        return map;
    }

    [Fact]
    public void Perfect_prediction_scores_100_everywhere()
    {
        var metrics = new BoundaryMetrics(2, new BoundaryOptions { Tolerance = 1, TrimapWidths = [1, 3] });
        metrics.Add(Square(), Square(), 12, 12);
        Assert.Equal(100, metrics.MeanBoundaryF, 9);
        Assert.All(metrics.TrimapMeanIoU(["bg", "fg"]).Values, v => Assert.Equal(100, v, 9));
    }

    [Fact]
    public void A_one_pixel_shift_is_forgiven_within_tolerance_but_not_without()
    {
        var tolerant = new BoundaryMetrics(2, new BoundaryOptions { Tolerance = 1 });
        tolerant.Add(Square(shift: 1), Square(), 12, 12);
        Assert.Equal(100, tolerant.MeanBoundaryF, 9);

        var strict = new BoundaryMetrics(2, new BoundaryOptions { Tolerance = 1 });
        strict.Add(Square(shift: 2), Square(), 12, 12);
        Assert.True(strict.MeanBoundaryF < 100);
    }

    [Fact]
    public void Boundary_map_marks_pixels_whose_right_lower_or_diagonal_neighbour_differs()
    {
        // 1-D example in a 1×4 row: mask 0 0 1 1 → boundary at x=1 only (its right neighbour differs).
        var b = BoundaryMetrics.BoundaryMap([false, false, true, true], 1, 4);
        Assert.Equal([false, true, false, false], b);
    }

    [Fact]
    public void Trimap_counts_only_pixels_near_ground_truth_boundaries()
    {
        // Predicting everything as background: inside a 1-px band the square's edge pixels are wrong.
        var metrics = new BoundaryMetrics(2, new BoundaryOptions { TrimapWidths = [0, 20] });
        metrics.Add(new byte[144], Square(), 12, 12);
        var trimap = metrics.TrimapMeanIoU(["bg", "fg"]);
        // width 20 covers the whole image: bg IoU = 108/144, fg IoU = 0 → mean 37.5.
        Assert.Equal(37.5, trimap[20], 9);
        // width 0: only the boundary pixels themselves, both sides of each edge: the square's 20-px rim and
        // its 24 background 4-neighbours. bg IoU = 24/(24+20), fg IoU = 0.
        Assert.Equal(100.0 * 24 / 44 / 2, trimap[0], 9);
    }

    [Fact]
    public void Chebyshev_dilation_grows_a_point_into_a_square()
    {
        var mask = new bool[25];
        mask[12] = true; // centre of 5×5
        var d = BoundaryMetrics.Dilate(mask, 5, 5, 1);
        Assert.Equal(9, d.Count(v => v));
        Assert.True(d[6] && d[18] && !d[0]);
    }

    // The definition, one class at a time (as SFSegNets' f_boundary does it): BoundaryMap of the binary masks
    // pred == c and gt == c with ignore pixels in neither, each boundary pixel matched within the disk.
    static double?[] ReferenceBoundaryF(IEnumerable<(byte[] Pred, byte[] Gt)> images, int classes, int height, int width, int radius)
    {
        var sum = new double[classes]; var count = new int[classes];
        var disk = new List<(int, int)>();
        for (int dy = -radius; dy <= radius; dy++)
            for (int dx = -radius; dx <= radius; dx++)
                if (dy * dy + dx * dx <= radius * radius) disk.Add((dy, dx));
        int Matched(bool[] from, bool[] to) => Enumerable.Range(0, from.Length).Count(i => from[i] && disk.Any(o =>
        {
            int y = i / width + o.Item1, x = i % width + o.Item2;
            return y >= 0 && y < height && x >= 0 && x < width && to[y * width + x];
        }));
        foreach (var (pred, gt) in images)
            for (int c = 0; c < classes; c++)
            {
                var pm = pred.Select((p, i) => gt[i] != 255 && p == c).ToArray();
                var gm = gt.Select(g => g != 255 && g == c).ToArray();
                if (!pm.Contains(true) && !gm.Contains(true)) continue;
                var pb = BoundaryMetrics.BoundaryMap(pm, height, width); var gb = BoundaryMetrics.BoundaryMap(gm, height, width);
                int np = pb.Count(b => b), ng = gb.Count(b => b);
                double f;
                if (np == 0 && ng == 0) f = 1;
                else if (np == 0 || ng == 0) f = 0;
                else
                {
                    double precision = (double)Matched(pb, gb) / np, recall = (double)Matched(gb, pb) / ng;
                    f = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
                }
                sum[c] += f; count[c]++;
            }
        return Enumerable.Range(0, classes).Select(c => count[c] == 0 ? (double?)null : 100.0 * sum[c] / count[c]).ToArray();
    }

    [Theory]
    [InlineData(1, 17, 23, 1)]
    [InlineData(2, 32, 32, 2)]
    [InlineData(3, 9, 40, 3)]
    public void All_classes_from_one_pass_score_exactly_as_the_per_class_definition(int seed, int height, int width, int radius)
    {
        // Blocky random maps (so boundaries are long and varied) with ignore pixels and classes that come and go.
        var rng = new Rng((ulong)seed);
        byte[] RandomMap(int classes)
        {
            var map = new byte[height * width];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    map[y * width + x] = x > 0 && rng.Chance(0.7) ? map[y * width + x - 1]
                        : y > 0 && rng.Chance(0.6) ? map[(y - 1) * width + x]
                        : rng.Chance(0.05) ? (byte)255 : (byte)rng.Next(classes);
            return map;
        }
        var images = Enumerable.Range(0, 6).Select(i =>
        {
            var gt = RandomMap(4 + i % 3);
            var pred = gt.Select(g => rng.Chance(0.15) || g == 255 ? (byte)rng.Next(7) : g).ToArray();
            return (pred, gt);
        }).ToList();
        var metrics = new BoundaryMetrics(7, new BoundaryOptions { Tolerance = radius });
        foreach (var (pred, gt) in images) metrics.Add(pred, gt, height, width);
        Assert.Equal(ReferenceBoundaryF(images, 7, height, width, radius), metrics.BoundaryFPerClass());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Dilation_equals_the_brute_force_square_neighbourhood(int radius)
    {
        var rng = new Rng(7);
        int height = 13, width = 21;
        var mask = Enumerable.Range(0, height * width).Select(_ => rng.Chance(0.04)).ToArray();
        var expected = Enumerable.Range(0, mask.Length).Select(i => Enumerable.Range(0, mask.Length).Any(j =>
            mask[j] && Math.Abs(i / width - j / width) <= radius && Math.Abs(i % width - j % width) <= radius)).ToArray();
        Assert.Equal(expected, BoundaryMetrics.Dilate(mask, height, width, radius));
    }
}
