using SegAlign.Data;
using SegAlign.Evaluation;
using SegAlign.Tests.Data;

namespace SegAlign.Tests.Evaluation;

public class AlignmentMetricsTests
{
    const int Side = 16;

    // Background with one square garment of class `cls` at (top, left) of side `size`.
    static byte[] Square(int top, int left, int size, byte cls)
    {
        var map = new byte[Side * Side];
        for (int y = top; y < top + size; y++)
            for (int x = left; x < left + size; x++) map[y * Side + x] = cls;
        return map;
    }

    [Fact]
    public void A_garment_outlined_rightly_but_named_wrongly_keeps_its_edges_and_foreground_and_counts_as_misnamed()
    {
        var label = Square(4, 4, 8, 3);
        var metrics = new AlignmentMetrics(11);
        metrics.Add(Square(4, 4, 8, 5), label, Side, Side);
        var result = metrics.Result();
        Assert.Equal(100, result.EdgeF1, 9);
        Assert.Equal(100, result.ForegroundIoU, 9);
        Assert.Equal(100, result.MisnamedShare, 9);
        Assert.Null(result.NamedItemIoU); // no owner map: no item metrics
    }

    [Fact]
    public void A_shifted_garment_loses_edge_F_within_1_px_but_not_within_2_px_and_loses_foreground_IoU()
    {
        var label = Square(4, 4, 8, 3);
        var metrics = new AlignmentMetrics(11);
        metrics.Add(Square(4, 6, 8, 3), label, Side, Side); // shifted by 2 px
        var result = metrics.Result();
        Assert.True(result.EdgeF1 < 100);
        Assert.Equal(100, result.EdgeF2, 9);
        Assert.Equal(100.0 * 48 / 80, result.ForegroundIoU, 9);
        Assert.Equal(0, result.MisnamedShare, 9);
    }

    [Fact]
    public void Ignored_pixels_count_nowhere_and_items_named_right_get_mask_IoU()
    {
        var label = Square(4, 4, 8, 3);
        label[0] = Sample.Ignore;
        var owner = label.Select(l => l == 3 ? (byte)1 : (byte)0).ToArray();
        var prediction = Square(4, 4, 8, 3);
        prediction[0] = 7; // at an ignored pixel: no error anywhere
        var metrics = new AlignmentMetrics(11);
        metrics.Add(prediction, label, Side, Side, owner);
        var result = metrics.Result();
        Assert.Equal(100, result.EdgeF2, 9);
        Assert.Equal(0, result.MisnamedShare, 9);
        Assert.Equal(100, result.NamedItemShare!.Value, 9);
        Assert.Equal(100, result.NamedItemIoU!.Value, 9);
        Assert.Equal(100, result.NamedItemBoundaryF!.Value, 9);
    }

    [Fact]
    public void Per_image_rows_round_trip_and_sum_to_the_run_value()
    {
        var metrics = new AlignmentMetrics(11);
        metrics.Add(Square(4, 6, 8, 3), Square(4, 4, 8, 3), Side, Side);
        metrics.Add(Square(2, 2, 6, 9), Square(2, 2, 5, 9), Side, Side);
        var rows = AlignmentMetrics.Parse(metrics.ToCsv(), "test");
        Assert.Equal(metrics.Images, rows);
        var total = rows.Aggregate(AlignmentCounts.Zero, (a, b) => a.Plus(b)).ToResult(withItems: false);
        Assert.Equal(metrics.Result(), total);
    }
}

public class PredictionArchiveTests
{
    [Fact]
    public void Stored_predictions_decode_to_exactly_what_was_predicted_and_refuse_another_split()
    {
        var options = new SegAlign.Config.FashionScenesOptions { Size = 32, MinItems = 2, MaxItems = 3, MinScale = 0.5, MaxScale = 0.9, ValidationScenes = 6, TestScenes = 5 };
        var split = FashionScenes.Test(options);
        var random = new Random(1);
        var writer = new PredictionArchive.Writer();
        var predictions = new List<byte[]>();
        for (int i = 0; i < split.Count; i++)
        {
            var sample = split.Get(i);
            // Mostly right, with blocks of errors, as a trained model's predictions are.
            var prediction = sample.Label.Select(l => l == Sample.Ignore ? (byte)0 : l).ToArray();
            for (int p = random.Next(200); p < prediction.Length; p += 97) prediction[p] = (byte)random.Next(11);
            predictions.Add(prediction);
            writer.Add(prediction, sample.Label, sample.Height, sample.Width);
        }
        using var folder = new TempFolder();
        string file = Path.Combine(folder.Path, "predictions.bin");
        writer.Save(file);
        var decoded = PredictionArchive.Read(file, split).ToList();
        Assert.Equal(predictions, decoded.Select(d => d.Prediction));
        var other = FashionScenes.Validation(options);
        Assert.Throws<InputException>(() => PredictionArchive.Read(file, other).ToList());
        File.WriteAllBytes(file, [1, 2, 3]);
        Assert.Throws<InputException>(() => PredictionArchive.Read(file, split).ToList());
    }
}
