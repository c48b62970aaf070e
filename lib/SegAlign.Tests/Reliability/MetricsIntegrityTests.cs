using System.Text.Json.Nodes;
using SegAlign.Training;

namespace SegAlign.Tests.Reliability;

/// <summary>
/// Issue 33 rows 5 and 8: an edited metrics.json (mIoU not the mean of its classes, negative GMACs or loss, NaN loss,
/// non-positive throughput) is refused before it enters a table; a resume after the results failed to write records
/// the log's finite loss, not NaN.
/// </summary>
public class MetricsIntegrityTests
{
    static RunFolder FinishedRun()
    {
        var outcome = Trainer.Run(TestConfigs.Tiny(iterations: 2), 0, TestConfigs.NewRunFolder(), new TrainOptions { Threads = 1 });
        return outcome.Folder;
    }

    [Theory]
    [InlineData("meanIoU", "90", "per-class IoUs average")]
    [InlineData("gMacs", "-1", "gMacs = -1")]
    [InlineData("finalLoss", "-3", "finalLoss = -3")]
    [InlineData("finalLoss", "\"NaN\"", "finalLoss = NaN")]
    [InlineData("imagesPerSecond", "-1", "imagesPerSecond = -1")]
    [InlineData("imagesPerSecond", "0", "imagesPerSecond = 0")]
    public void An_edited_metrics_file_is_refused_naming_the_file_and_the_field(string field, string value, string expected)
    {
        var folder = FinishedRun();
        var good = folder.ReadMetrics();
        var node = JsonNode.Parse(File.ReadAllText(folder.MetricsFile))!.AsObject();
        node[field] = JsonNode.Parse(value);
        File.WriteAllText(folder.MetricsFile, node.ToJsonString());

        var error = Assert.Throws<InputException>(() => folder.ReadMetrics(good.ConfigHash, good.Seed));
        Assert.Contains(folder.MetricsFile, error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains("Fix:", error.Message);
    }

    [Fact]
    public void A_resume_after_the_results_failed_to_write_records_the_logs_finite_loss()
    {
        var folder = FinishedRun();
        // The final checkpoint and log were written, then the disk filled before metrics.json.
        foreach (var file in new[] { folder.MetricsFile, folder.PerClassFile, folder.ConfusionFile, folder.PerImageFile }) File.Delete(file);

        var resumed = Trainer.Run(TestConfigs.Tiny(iterations: 2), 0, folder.Path, new TrainOptions { Resume = true, Threads = 1 });
        Assert.True(double.IsFinite(resumed.Metrics!.FinalLoss));
        Assert.Equal(folder.ReadLog()[^1].Loss, resumed.Metrics.FinalLoss);
        Assert.Equal(resumed.Metrics.FinalLoss, folder.ReadMetrics().FinalLoss);
    }
}
