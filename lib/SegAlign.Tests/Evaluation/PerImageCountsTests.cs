using SegAlign.Evaluation;
using SegAlign.Experiments;
using SegAlign.Training;

namespace SegAlign.Tests.Evaluation;

public class PerImageCountsTests
{
    static readonly string[] names = ["a", "b", "c"];

    // Two 2×2 images: image 0 gets class 1 half right; image 1 is perfect except an ignored pixel.
    static PerImageCounts TwoImages(ConfusionMatrix? confusion = null)
    {
        var counts = new PerImageCounts(3);
        (byte[] Prediction, byte[] Label)[] images = [([0, 1, 1, 2], [0, 1, 0, 2]), ([1, 1, 2, 0], [1, 1, 2, 255])];
        foreach (var (prediction, label) in images)
        {
            counts.Add(prediction, label);
            confusion?.Add(prediction, label);
        }
        return counts;
    }

    [Fact]
    public void The_mIoU_of_all_images_equals_the_confusion_matrix_mIoU()
    {
        var confusion = new ConfusionMatrix(3);
        var counts = TwoImages(confusion);
        Assert.Equal(SegmentationMetrics.From(confusion, names).MeanIoU, counts.MeanIoU([0, 1]), 12);
        // A resample that repeats an image weighs it twice: class 0 = 1/2, class 1 = 1/2, class 2 = 1 → 66.67.
        Assert.Equal(100.0 * (0.5 + 0.5 + 1) / 3, counts.MeanIoU([0, 0]), 9);
    }

    [Fact]
    public void The_csv_round_trips_and_a_corrupt_file_gets_one_clear_message()
    {
        var counts = TwoImages();
        var parsed = PerImageCounts.Parse(counts.ToCsv(), "per_image_counts.csv");
        Assert.Equal(counts.ToCsv(), parsed.ToCsv());
        Assert.Equal(counts.MeanIoU([1, 0, 1]), parsed.MeanIoU([1, 0, 1]), 12);
        var error = Assert.Throws<InputException>(() => PerImageCounts.Parse("image,i0,u0\n0,5,2\n", "x.csv"));
        Assert.Contains("intersection larger than its union", error.Message);
        Assert.Throws<InputException>(() => PerImageCounts.Parse("image,i0,u0\n0,a,2\n", "x.csv"));
        Assert.Throws<InputException>(() => PerImageCounts.Parse("image,i0\n", "x.csv"));
    }

    [Fact]
    public void The_two_level_interval_from_counts_is_zero_for_identical_arms_and_excludes_zero_for_a_uniformly_better_one()
    {
        static SegAlign.Experiments.SeedPair Pair(PerImageCounts a, PerImageCounts b) => new(ix => a.MeanIoU(ix), ix => b.MeanIoU(ix));
        var same = TwoImages();
        var identical = SegAlign.Experiments.TwoLevelBootstrap.Of([Pair(same, same), Pair(same, same)], 2, resamples: 200)!;
        Assert.Equal((0.0, 0.0), (identical.Low, identical.High));

        var worse = new PerImageCounts(3);
        worse.Add([1, 1, 1, 2], [0, 1, 0, 2]);
        worse.Add([1, 1, 0, 0], [1, 1, 2, 255]);
        var better = SegAlign.Experiments.TwoLevelBootstrap.Of([Pair(same, worse), Pair(same, worse)], 2, resamples: 200)!;
        Assert.True(better.Low > 0 && better.High >= better.Low, $"[{better.Low}, {better.High}]");
        Assert.Equal(better, SegAlign.Experiments.TwoLevelBootstrap.Of([Pair(same, worse), Pair(same, worse)], 2, resamples: 200));   // seeded
    }

    [Fact]
    public void A_finished_run_records_per_image_counts_that_reproduce_its_mIoU()
    {
        var outcome = Trainer.Run(TestConfigs.Tiny(iterations: 2), 0, TestConfigs.NewRunFolder());
        var perImage = outcome.Folder.ReadPerImage()!;
        Assert.Equal(outcome.Metrics!.EvalImages, perImage.Images);
        Assert.Equal(outcome.Metrics.MeanIoU, perImage.MeanIoU(Enumerable.Range(0, perImage.Images).ToArray()), 9);
    }
}
