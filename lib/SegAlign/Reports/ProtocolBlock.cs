using System.Globalization;
using SegAlign.Config;
using SegAlign.Experiments;

namespace SegAlign.Reports;

/// <summary>
/// What a report's numbers are: the data and protocol (split, size, items, schedule, prior, losses), how each metric is
/// defined, whether the decoder is a reconstruction, and the exact commands that reproduce the page — read from the runs'
/// own configs, so the text cannot drift from what was trained.
/// </summary>
public static class ProtocolBlock
{
    public static string Html(ExperimentDefinition definition, string preset, IReadOnlyList<RunRow> rows)
    {
        var config = rows[0].Run.Config;
        var data = config.Data;
        var items = new List<(string Term, string Text)>();
        if (data.Dataset == "fashion-scenes")
        {
            var s = data.FashionScenes;
            string split = data.EvaluatedSplit == "test"
                ? $"the test split: {s.TestScenes} scenes of t10k items (stream fashion-scenes/test, seed {s.TestSeed ?? 1}), seen by no pilot or tuning"
                : $"the validation split: {s.ValidationScenes} scenes of t10k items (seed {s.ValidationSeed})";
            items.Add(("data", $"FashionScenes at {s.Size} px, {s.MinItems}–{s.MaxItems} Fashion-MNIST items per scene scaled {s.MinScale:0.##}–{s.MaxScale:0.##}×28 px; " +
                               $"{(s.TrainScenes > 0 ? $"a fixed training set of {s.TrainScenes} scenes" : "an unbounded training stream")}" +
                               (data.Augment.IsIdentity ? "" : $", random scale {data.Augment.MinScale:0.##}–{data.Augment.MaxScale:0.##}{(data.Augment.HorizontalFlip ? " and horizontal flip" : "")}")));
            items.Add(("scored on", split));
        }
        else items.Add(("data", $"{data.Dataset}, crops of {data.CropSize} px, scored on its validation split"));
        var t = config.Train;
        items.Add(("schedule", $"{t.Iterations} iterations × {t.BatchSize} images, {t.Optimizer} lr {t.LearningRate.ToString("0.####", CultureInfo.InvariantCulture)}" +
                               $"{(t.EmaDecay is double e ? $", EMA {e.ToString("0.###", CultureInfo.InvariantCulture)} weights evaluated" : "")}; seeds {string.Join(", ", rows.Select(r => r.Run.Seed).Distinct().Order())}"));
        items.Add(("backbone", $"{config.Model.Backbone} × {config.Model.Width.ToString("0.##", CultureInfo.InvariantCulture)}, " +
                               (config.Model.BackboneWeights is { } w ? $"starting from {w}" : "from scratch")));
        var losses = new List<string> { "cross-entropy (ignore 255)" };
        if (t.Ohem is { } ohem) losses.Add($"OHEM (threshold {ohem.Threshold.ToString("0.##", CultureInfo.InvariantCulture)}, at least {ohem.MinKept} pixels)");
        if (config.Model.AuxHead) losses.Add($"auxiliary head on C4 × {config.Model.AuxWeight.ToString("0.##", CultureInfo.InvariantCulture)}");
        if (config.Model.DecoderOptions?["deepSupervision"]?.GetValue<bool>() == true) losses.Add("deep supervision on every top-down level");
        items.Add(("losses", string.Join(", ", losses) + " — the same on every arm of a comparison"));
        items.Add(("metrics", "mIoU over one confusion matrix of the whole split; boundary F: per class and image, 1-px boundaries matched within 0.008 of the image diagonal " +
                              "(⌈0.008·diagonal⌉ px, as SFSegNets); trimap mIoU within 1, 2 and 4 px of a label boundary; edge F (1, 2 px): class-agnostic label-change edges matched " +
                              "within a square window, labels ignored; foreground IoU: garments merged against background; misnamed: share of garment pixels given another garment's label; " +
                              "latency: batch 1, one thread, median of 30 forward passes on a settled machine; GMACs: every multiply-add of one forward pass (docs/flop-counting.md)"));
        if (definition.Reconstruction)
            items.Add(("decoder", "no official code was published: this is our reconstruction from the paper; verdicts say whether it reproduces the claim"));
        items.Add(("reproduce", $"environment/segalign ablation run {definition.Name} --preset {preset}, then environment/segalign report {definition.Name} --preset {preset}"));
        return "<details open class=\"protocol\"><summary>What was measured</summary>\n<dl>\n" +
               string.Concat(items.Select(i => $"<dt>{Reports.Html.Escape(i.Term)}</dt><dd>{Reports.Html.Escape(i.Text)}</dd>\n")) + "</dl>\n</details>\n";
    }
}
