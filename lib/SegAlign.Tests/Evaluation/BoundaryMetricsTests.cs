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
}
