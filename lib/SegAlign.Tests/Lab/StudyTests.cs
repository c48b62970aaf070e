using SegAlign.Lab;
using SegAlign.Tests.Data;
using SegAlign.Tests.Visualisation;
using SegAlign.Visualisation;

namespace SegAlign.Tests.Lab;

/// <summary>The sfnet study at the smoke preset with 2-iteration runs, trained once for the facts below.</summary>
public sealed class SmokeStudies : IDisposable
{
    readonly TempFolder folder = new();

    public string Results => folder.File("results");
    public string Scratch => folder.File("lab");

    public Study Open(string experiment, int seeds) =>
        Study.Open(experiment, "smoke", seeds, ["train.iterations=2"], Results, Scratch);

    public Study Sfnet { get; }

    public SmokeStudies()
    {
        Sfnet = Open("sfnet", seeds: 2).Ensure(rerun: true);
    }

    public void Dispose() => folder.Dispose();
}

public class StudyTests(SmokeStudies studies) : IClassFixture<SmokeStudies>
{
    [Fact]
    public void A_study_trains_its_missing_runs_and_reads_them_back_as_summary_table_and_rows()
    {
        var study = studies.Sfnet;
        Assert.Empty(study.Missing);
        Assert.Equal(8, study.Runs.Count);
        Assert.Equal(["bilinear", "fam", "fam-p4", "fam-p2"], study.Summary.Variants.Select(v => v.Variant));
        Assert.Equal(4, study.Table.Rows.Count);
        Assert.Equal(8, study.RunsTable.Rows.Count);
        Assert.All(study.Runs, r => Assert.Equal(2, r.Metrics.Iterations));
        Assert.True(File.Exists(Path.Combine(study.Store.ExperimentFolder("sfnet"), "summary.md")));
        // Reopening finds everything and trains nothing.
        var again = studies.Open("sfnet", seeds: 2).Ensure(rerun: true);
        Assert.Equal(study.Runs.Select(r => r.Metrics.FinalLoss), again.Runs.Select(r => r.Metrics.FinalLoss));
    }

    [Fact]
    public void Without_rerun_a_partly_missing_study_reports_what_is_missing_and_trains_nothing()
    {
        var study = studies.Open("sfnet", seeds: 3);
        Assert.Equal(4, study.Missing.Count);   // seed 2 of every variant
        study.Ensure(rerun: false);
        Assert.Equal(4, study.Missing.Count);
        Assert.Contains("4 planned run(s) are missing", study.Findings().Text);
    }

    [Fact]
    public void Opening_a_study_reads_latency_from_the_cache_and_times_nothing_unless_asked()
    {
        // Issue 32 item 7: a notebook opened on a busy machine must not time models (and used to, on every first open).
        var study = studies.Open("sfnet", seeds: 2);
        string cache = Path.Combine(study.Store.Root, "latency.csv");
        Assert.False(File.Exists(cache), "a test of this class measured latency; this one needs a study without it");
        study.Ensure(rerun: false, latency: true);
        Assert.False(File.Exists(cache), "latency was measured without rerun");
        Assert.False(study.HasLatency);
    }

    [Fact]
    public void Findings_are_written_from_the_summary_with_each_claims_verdict()
    {
        var study = studies.Sfnet;
        string text = study.Findings().Text;
        Assert.Contains("Smoke preset", text);
        foreach (var claim in study.Summary.Claims)
            Assert.Contains($"**{claim.Verdict}**", text);
        Assert.Contains(study.Summary.Variants.Single(v => v.Variant == "fam").MeanIoU.Format(), text);
        Assert.Contains("8 of 8", study.Describe().Text);
    }

    [Fact]
    public void The_trained_FAM_model_yields_one_flow_field_per_level_that_can_be_drawn()
    {
        var study = studies.Sfnet;
        using var model = study.Model("fam");
        Assert.False(model.training);
        var scene = study.Sample(2);
        var flows = Inspect.Flows(model, scene);
        Assert.Equal(["fam.p4", "fam.p3", "fam.p2"], flows.Select(f => f.Name));
        Assert.Equal([2, 4, 8], flows.Select(f => f.Width));   // 32-pixel scenes: strides 16, 8, 4
        Assert.All(flows, f => Assert.True(f.MaxMagnitude > 0));
        Pngs.Decode(FlowPlots.ColourFields(flows));
        Pngs.Decode(FlowPlots.ArrowsPerLevel(scene, flows));
        var prediction = Inspect.Predict(model, scene);
        Assert.Equal((32, 32), (prediction.Height, prediction.Width));
        Pngs.Decode(SegmentationPlots.Overlay(scene, prediction));

        using var bilinear = study.Model("bilinear");
        Assert.Throws<InputException>(() => Inspect.Flows(bilinear, scene));
    }

    [Fact]
    public void A_missing_checkpoint_is_retrained_to_exactly_the_recorded_final_loss()
    {
        var study = studies.Open("sfnet", seeds: 2);
        var run = study.Run("fam-p2", 1);
        var folder = study.Store.Folder(run);
        using (var original = study.Model("fam-p2", 1))
        {
            File.Delete(folder.CheckpointFile);   // as in a fresh clone: checkpoints are not committed
            var reproduction = study.Reproduce("fam-p2", 1);
            Assert.False(reproduction.Reused);
            Assert.True(reproduction.Identical, reproduction.Describe());
            Assert.Equal(folder.ReadMetrics().FinalLoss, reproduction.FinalLoss);
            Assert.Equal(1, reproduction.Threads);
            Assert.StartsWith(studies.Scratch, reproduction.Folder);

            // The retrained model is the recorded one: same weights, same predictions.
            using var retrained = study.Model("fam-p2", 1);
            var scene = study.Sample(0);
            Assert.Equal(Inspect.Predict(original, scene).Labels, Inspect.Predict(retrained, scene).Labels);
        }
        Assert.True(study.Reproduce("fam-p2", 1).Reused);
    }

    [Fact]
    public void Relations_multi_resolution_predictions_and_HFGDs_two_heads_can_be_visualised()
    {
        var scene = studies.Sfnet.Sample(1);

        var rsp = studies.Open("rsp", seeds: 1).Ensure(rerun: true);
        using (var model = rsp.Model("rsp"))
        {
            var relations = Inspect.Relations(model, scene);
            Assert.Equal(["rse.p5", "rsp.p4", "rsp.p3", "rsp.p2"], relations.Select(r => r.Name));
            var (y, x) = scene.ObjectPixel();
            var window = relations[^1].At(relations[^1].FromInput(y, x).Y, relations[^1].FromInput(y, x).X);
            for (int h = 0; h < relations[^1].Heads; h++)
                Assert.Equal(1.0, Enumerable.Range(0, 25).Sum(j => (double)window.Weights[h, j / 5, j % 5]), 4);
            Pngs.Decode(RelationPlots.ForPixel(scene, relations, y, x));
        }

        var ifa = studies.Open("ifa", seeds: 1).Ensure(rerun: true);
        using (var model = ifa.Model("ifa"))
        {
            var maps = Inspect.AtResolutions(model, scene);
            Assert.Equal([8, 16, 32, 64], maps.Select(m => m.Map.Width));
            Pngs.Decode(SegmentationPlots.Compare(scene, maps));
        }

        var hfgd = studies.Open("hfgd", seeds: 1).Ensure(rerun: true);
        using (var model = hfgd.Model("guided-sg"))
        {
            var heads = Inspect.HighLevelVsUpsampler(model, scene);
            Assert.Equal((1, 1), (heads.HighLevel.Height, heads.HighLevel.Width));    // C5 of a 32-pixel scene
            Assert.Equal((32, 32), (heads.Upsampler.Height, heads.Upsampler.Width));
            Pngs.Decode(SegmentationPlots.Compare(scene, heads.Maps));
        }
        using (var baseline = hfgd.Model("fpn"))
            Assert.Throws<InputException>(() => Inspect.HighLevelVsUpsampler(baseline, scene));
    }

    [Fact]
    public void Confusion_matrices_sum_over_seeds_and_curves_come_from_the_training_logs()
    {
        var study = studies.Sfnet;
        long Pixels(SegAlign.Evaluation.ConfusionMatrix m) => m.Counts.Sum();
        var total = study.Confusion("fam");
        Assert.Equal(Pixels(study.Confusion("fam", 0)) + Pixels(study.Confusion("fam", 1)), Pixels(total));
        Assert.Equal(study.ClassNames.Count, total.NumClasses);
        var curves = study.Curves("fam");
        Assert.Equal(2, curves.Count);
        Assert.All(curves, c => Assert.Equal([1, 2], c.Log.Select(r => r.Iteration)));
    }

    [Fact]
    public void Bad_names_and_unfinished_runs_are_refused_with_a_fix()
    {
        Assert.Contains("Fix:", Assert.Throws<InputException>(() => Study.Open("nope", "smoke")).Message);
        Assert.Contains("Fix:", Assert.Throws<InputException>(() => Study.Open("sfnet", "tiny")).Message);
        var study = studies.Open("sfnet", seeds: 3);
        Assert.Contains("Ensure(rerun: true)", Assert.Throws<InputException>(() => study.Model("fam", 2)).Message);
        Assert.Throws<InputException>(() => study.Model("fam", 7));
        Assert.Throws<InputException>(() => study.Sample(1000));
    }
}
