using System.Text.Json.Nodes;
using SegAlign.Experiments;

namespace SegAlign.Tests.Platform;

/// <summary>The CLI (and so every sweep worker) keeps the data pipeline's short-lived arrays out of the large-object heap.</summary>
public class ManagedHeapTests
{
    [Fact]
    public void The_full_presets_batches_and_scenes_stay_below_the_CLIs_large_object_threshold()
    {
        // Above the threshold each scene and batch would churn the LOH, whose freed regions the GC hands back to the
        // kernel and faults in again (docs/speed.md): the data pipeline's CPU time roughly doubles.
        var runtimeConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SegAlign.Cli.runtimeconfig.json")))!;
        long threshold = runtimeConfig["runtimeOptions"]!["configProperties"]!["System.GC.LOHThreshold"]!.GetValue<long>();

        var config = ExperimentPlan.ConfigForDecoder("fpn", "full", null);
        long plane = (long)config.Data.FashionScenes.Size * config.Data.FashionScenes.Size;
        long largestBatch = Math.Max(config.Train.BatchSize, config.Train.EvalBatchSize) * plane * 3 * sizeof(float);
        long largestLabels = Math.Max(config.Train.BatchSize, config.Train.EvalBatchSize) * plane * sizeof(long);
        Assert.True(Math.Max(largestBatch, largestLabels) < threshold,
            $"a full-preset batch takes {Math.Max(largestBatch, largestLabels)} bytes, the CLI's LOH threshold is {threshold}");
    }
}
