using SegAlign.Evaluation;
using static TorchSharp.torch;

namespace SegAlign.Tests.Evaluation;

public class MetricsTests
{
    static readonly string[] Names = ["a", "b", "c", "d"];

    // Ground truth / prediction pairs chosen so every count is known:
    //   gt a: 3 px → pred a, a, b      gt b: 2 px → pred b, c
    //   gt c: 1 px → pred c            gt d: absent, never predicted       plus 2 ignored px predicted d.
    static readonly byte[] Label = [0, 0, 0, 1, 1, 2, 255, 255];
    static readonly byte[] Prediction = [0, 0, 1, 1, 2, 2, 3, 3];

    [Fact]
    public void Confusion_matrix_counts_pixels_and_skips_ignore()
    {
        var matrix = new ConfusionMatrix(4);
        matrix.Add(Prediction, Label);
        Assert.Equal(2, matrix[0, 0]);
        Assert.Equal(1, matrix[0, 1]);
        Assert.Equal(1, matrix[1, 1]);
        Assert.Equal(1, matrix[1, 2]);
        Assert.Equal(1, matrix[2, 2]);
        Assert.Equal(6, matrix.Counts.Sum());
    }

    [Fact]
    public void Tensor_and_host_accumulation_agree()
    {
        var host = new ConfusionMatrix(4);
        host.Add(Prediction, Label);
        var device = new ConfusionMatrix(4);
        using var scope = NewDisposeScope();
        device.Add(tensor(Prediction.Select(b => (long)b).ToArray(), [1, 2, 4]), tensor(Label.Select(b => (long)b).ToArray(), [1, 2, 4]));
        Assert.Equal(host.Counts, device.Counts);
    }

    [Fact]
    public void Metrics_match_a_hand_computed_confusion_matrix()
    {
        var matrix = new ConfusionMatrix(4);
        matrix.Add(Prediction, Label);
        var m = SegmentationMetrics.From(matrix, Names);

        // IoU: a = 2/(3+2-2) = 2/3; b = 1/(2+2-1) = 1/3; c = 1/(1+2-1) = 1/2; d absent (0 gt, 0 predicted on valid px).
        Assert.Equal(200.0 / 3, m.Classes[0].IoU!.Value, 9);
        Assert.Equal(100.0 / 3, m.Classes[1].IoU!.Value, 9);
        Assert.Equal(50.0, m.Classes[2].IoU!.Value, 9);
        Assert.Null(m.Classes[3].IoU);
        Assert.Equal(["d"], m.AbsentClasses);
        Assert.Equal((200.0 / 3 + 100.0 / 3 + 50.0) / 3, m.MeanIoU, 9);
        // Acc: a 2/3, b 1/2, c 1/1 → mAcc = (2/3 + 1/2 + 1)/3; aAcc = 4/6.
        Assert.Equal(100 * (2.0 / 3 + 0.5 + 1) / 3, m.MeanAccuracy, 9);
        Assert.Equal(400.0 / 6, m.PixelAccuracy, 9);
    }

    [Fact]
    public void A_class_only_predicted_counts_with_zero_IoU()
    {
        var matrix = new ConfusionMatrix(2);
        matrix.Add([1, 1], [0, 0]);
        var m = SegmentationMetrics.From(matrix, ["x", "y"]);
        Assert.Equal(0, m.Classes[0].IoU);
        Assert.Equal(0, m.Classes[1].IoU);
        Assert.Null(m.Classes[1].Accuracy);
        Assert.Equal(0, m.MeanIoU);
    }

    [Fact]
    public void A_label_outside_the_class_set_is_an_error()
    {
        var matrix = new ConfusionMatrix(2);
        var e = Assert.Throws<InputException>(() => matrix.Add([0], [7]));
        Assert.Contains("7", e.Message);
    }
}
