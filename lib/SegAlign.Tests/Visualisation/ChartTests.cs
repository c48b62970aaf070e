using System.Text.Json.Nodes;
using Plotly.NET;
using SegAlign.Config;
using SegAlign.Evaluation;
using SegAlign.Experiments;
using SegAlign.Training;
using SegAlign.Visualisation;

namespace SegAlign.Tests.Visualisation;

public class ChartTests
{
    static readonly string[] classNames = ["background", "shirt", "bag"];

    /// <summary>A finished run with the given mIoU, per-class IoUs (null = absent) and cost.</summary>
    internal static RunRow Row(string variant, int seed, double miou, double?[] classIou, double gmacs = 1.0, double? latency = null) =>
        new(new PlannedRun("demo", variant, seed, new RunConfig(), "hash-" + variant),
            new RunMetrics
            {
                ConfigHash = "hash-" + variant, Seed = seed, Dataset = "fashion-scenes", Backbone = "resnet18", Decoder = variant, Iterations = 4,
                TrainSeconds = 1, ImagesPerSecond = 8, FinalLoss = 2, MeanIoU = miou, MeanAccuracy = miou, PixelAccuracy = miou, BoundaryF = miou / 2,
                TrimapMeanIoU = new Dictionary<string, double> { ["1"] = miou / 3 },
                Classes = classNames.Select((n, i) => new ClassResult(n, classIou[i], classIou[i], null, 10, 10)).ToList(),
                AbsentClasses = [], EvalImages = 8, EvalSeconds = 1, GMacs = gmacs,
                Parameters = new Dictionary<string, long> { ["total"] = 1000, ["decoder"] = 100 }, Runtime = "cpu · 1 threads",
            }, latency);

    internal static ExperimentDefinition Definition() => new()
    {
        Name = "demo", Title = "Demo ablation", Seeds = [0, 1], Baseline = "base",
        Variants = [new VariantDefinition { Name = "base" }, new VariantDefinition { Name = "better" }, new VariantDefinition { Name = "costly" }],
        Claims = [new ClaimDefinition { Variant = "better", Versus = "base", Paper = "better beats base" }],
    };

    internal static List<RunRow> Rows() =>
    [
        Row("base", 0, 50, [90, 10, null], 1.0, 3), Row("base", 1, 52, [92, 12, null], 1.0, 3),
        Row("better", 0, 55, [91, 19, null], 1.2, 4), Row("better", 1, 58, [93, 23, null], 1.2, 4),
        Row("costly", 0, 51, [90, 12, null], 3.0), Row("costly", 1, 53, [91, 15, null], 3.0),
    ];

    static JsonObject Json(GenericChart chart) => JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();

    static void HasTitles(JsonObject figure, string title, string xTitle, string yTitle)
    {
        Assert.Contains(title, figure["layout"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal(xTitle, figure["layout"]!["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal(yTitle, figure["layout"]!["yaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Null(figure["layout"]!["template"]);   // no Plotly.NET template: the JSON holds only the chart
    }

    [Fact]
    public void Per_class_IoU_is_one_bar_trace_per_variant_with_std_error_bars_and_no_absent_class()
    {
        var figure = Json(Charts.PerClassIoU(Rows()));
        HasTitles(figure, "Per-class IoU", "class", "IoU (%)");
        var traces = figure["data"]!.AsArray();
        Assert.Equal(["base", "better", "costly"], traces.Select(t => t!["name"]!.GetValue<string>()));
        var better = traces[1]!;
        Assert.Equal("bar", better["type"]!.GetValue<string>());
        Assert.Equal(["background", "shirt"], better["x"]!.AsArray().Select(x => x!.GetValue<string>()));   // "bag" was never scored
        Assert.Equal(21, better["y"]![1]!.GetValue<double>(), 9);
        Assert.Equal(Math.Sqrt(8), better["error_y"]!["array"]![1]!.GetValue<double>(), 4);
        Assert.Equal("group", figure["layout"]!["barmode"]!.GetValue<string>());
    }

    [Fact]
    public void The_confusion_matrix_is_row_normalised_with_counts_on_hover()
    {
        var matrix = ConfusionMatrix.FromCounts(3, [8, 2, 0, 1, 3, 0, 0, 0, 0]);
        var rows = Charts.RowNormalised(matrix);
        Assert.Equal([80.0, 20.0, 0.0], rows[0]);
        Assert.Equal([25.0, 75.0, 0.0], rows[1]);
        Assert.Equal([null, null, null], rows[2]);   // no ground-truth pixels: no row

        var figure = Json(Charts.Confusion(matrix, classNames, "Confusion of demo"));
        HasTitles(figure, "Confusion of demo", "predicted class", "ground-truth class");
        var heatmap = figure["data"]![0]!;
        Assert.Equal("heatmap", heatmap["type"]!.GetValue<string>());
        Assert.Equal(75.0, heatmap["z"]![1]![1]!.GetValue<double>());
        Assert.Null(heatmap["z"]![2]![0]);
        Assert.Equal("3", heatmap["text"]![1]![1]!.GetValue<string>());
        Assert.Contains("%{text} pixels", heatmap["hovertemplate"]!.GetValue<string>());
        Assert.Throws<InputException>(() => Charts.Confusion(matrix, ["a", "b"]));
    }

    [Fact]
    public void Every_variant_keeps_one_colour_everywhere_and_the_variants_of_an_experiment_differ()
    {
        Assert.Equal(PlotlyKit.ColourOf("fam"), PlotlyKit.ColourOf("sfnet"));          // one decoder, one colour
        Assert.Equal(PlotlyKit.ColourOf("brand-new"), PlotlyKit.ColourOf("brand-new")); // unknown names: a stable pick
        foreach (var name in SegAlign.Experiments.ExperimentDefinition.Available())
        {
            var variants = SegAlign.Experiments.ExperimentDefinition.Load(name).Variants.Select(v => v.Name).ToList();
            Assert.All(variants, v => Assert.True(PlotlyKit.VariantColours.ContainsKey(v), $"{name}: variant {v} has no fixed colour"));
            Assert.Equal(variants.Count, variants.Select(PlotlyKit.ColourOf).Distinct().Count());
        }
        Assert.Equal([-0.2, 0, 0.2], PlotlyKit.Spread(3, 0.2).Select(d => Math.Round(d, 9)));
        Assert.Equal([0.0], PlotlyKit.Spread(1, 0.2));
    }

    static CostPoint Seeded(string label, double cost, params double[] perSeed) =>
        new(label, cost, perSeed.Average(), Statistics.StdDev(perSeed), perSeed.Length, perSeed.Select((v, s) => (v, s)).ToDictionary(x => x.s, x => x.v));

    [Fact]
    public void A_variant_is_dominated_only_when_one_that_costs_no_more_is_decidedly_more_accurate()
    {
        var points = new[]
        {
            Seeded("cheap", 1, 50, 50.2, 49.8),
            Seeded("beaten", 2, 49, 49.1, 48.9),        // 1 point below cheap on every seed: decided
            Seeded("noisy", 2, 51, 47, 49),             // below cheap on the mean, but inside the noise: not decided
            Seeded("best", 3, 60, 61, 59),
            new CostPoint("unknown", double.NaN, 70, 0, 3),
            Seeded("one-seed", 4, 40),                  // far below on one seed: nothing is decided with one seed
        };
        Assert.Equal([0, 2, 3, 5], Pareto.Front(points));
        var beaten = Assert.Single(Pareto.Dominated(points));
        Assert.Equal(("beaten", "cheap"), (beaten.Dominated, beaten.By));
        Assert.True(beaten.Difference.CiLow > 0);
        string caption = Pareto.Describe(points, "GMACs");
        Assert.Contains("beaten by cheap (+1.00 [", caption);
        Assert.Contains("front (cheap, noisy, best, one-seed)", caption);
    }

    [Fact]
    public void Equal_costs_draw_no_cost_plot_and_near_equal_ones_are_spread_apart_with_their_exact_cost_kept()
    {
        var equal = new[] { Seeded("a", 0.289, 50, 51), Seeded("b", 0.289, 52, 53), Seeded("c", 0.2891, 49, 50) };
        Assert.True(Pareto.AllCostsEqual(equal));
        Assert.Contains("All 3 variants cost the same (0.289 GMACs)", Pareto.Describe(equal, "GMACs"));
        var message = Json(Charts.AccuracyVsCost(equal, "GMACs", "t"));
        Assert.Contains("nothing to trade off", message["layout"]!["annotations"]![0]!["text"]!.GetValue<string>());

        var near = new[] { Seeded("fpn", 1.000, 48, 49), Seeded("fam", 1.014, 49, 50), Seeded("other", 2.0, 50, 51) };
        Assert.False(Pareto.AllCostsEqual(near));
        var drawn = Charts.Dodged(near, out double span);
        Assert.True(drawn[1] - drawn[0] >= 0.02 * span, "points 1.4 % apart in cost overlap");
        Assert.Equal(2.0, drawn[2]);
        var figure = Json(Charts.AccuracyVsCost(near, "GMACs", "t"));
        Assert.Equal(0, figure["layout"]!["xaxis"]!["range"]![0]!.GetValue<double>());     // the cost axis starts at zero
        var fam = figure["data"]!.AsArray().Single(t => t!["text"]?[0]?.GetValue<string>() == "fam")!;
        Assert.Contains("cost 1.014", fam["customdata"]![0]!.GetValue<string>());
    }

    [Fact]
    public void The_confusion_difference_is_the_variants_row_shares_minus_the_baselines_in_points()
    {
        var baseline = SegAlign.Evaluation.ConfusionMatrix.FromCounts(2, [90, 10, 20, 80]);   // rows: truth 0, truth 1
        var variant = SegAlign.Evaluation.ConfusionMatrix.FromCounts(2, [45, 5, 5, 45]);      // 90/10 and 10/90 of each row
        var figure = Json(Charts.ConfusionDifference(variant, baseline, ["a", "b"], "v", "base"));
        var trace = figure["data"]![0]!;
        var z = trace["z"]!.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray();
        Assert.Equal([0.0, 0.0], z[0]);
        Assert.Equal([-10.0, 10.0], z[1]);
        Assert.Equal("+10.0", trace["text"]![1]![1]!.GetValue<string>());
        Assert.True(trace["reversescale"]!.GetValue<bool>());   // blue for "more often"
        Assert.Equal(10.0, trace["zmax"]!.GetValue<double>());
    }

    [Fact]
    public void Accuracy_against_cost_names_every_variant_in_the_legend_in_its_colour_and_joins_the_front()
    {
        var summary = ExperimentSummary.From(Definition(), "smoke", Rows(), 6);
        var figure = Json(Charts.MiouVsGmacs(summary));
        HasTitles(figure, "mIoU vs multiply-adds", "GMACs per image (one forward pass)", "mIoU (%), mean ± std over seeds");
        var traces = figure["data"]!.AsArray();
        Assert.Equal("Pareto front", traces[0]!["name"]!.GetValue<string>());
        // Two seeds each: no gap is decided, so nothing is dominated though costly's mean is below better's.
        Assert.Equal(3, traces[0]!["x"]!.AsArray().Count);
        var variants = traces.Skip(1).ToList();
        Assert.Equal(["base", "better", "costly"], variants.Select(t => t!["name"]!.GetValue<string>()).Order());
        // Each point labelled beside it and named in the legend, in its variant's colour.
        Assert.All(variants, t => Assert.Equal("markers+text", t!["mode"]!.GetValue<string>()));
        Assert.All(variants, t => Assert.Equal(t!["name"]!.GetValue<string>(), t!["text"]![0]!.GetValue<string>()));
        Assert.All(variants, t => Assert.Equal(PlotlyKit.ColourOf(t!["name"]!.GetValue<string>().Split(' ')[0]), t!["marker"]!["color"]!.GetValue<string>()));

        var latency = Json(Charts.MiouVsLatency(summary));
        Assert.Equal(2, latency["data"]!.AsArray().Count(t => t!["mode"]!.GetValue<string>() == "markers+text"));
        HasTitles(Json(Charts.VariantMetrics(summary)), "Demo ablation", "variant", "score (%), mean ± std over seeds");
        HasTitles(Json(Charts.Cost(summary)), "Cost of one forward pass", "variant", "GMACs per image");
    }

    [Fact]
    public void Training_curves_have_one_legend_entry_per_variant_and_at_most_200_points()
    {
        var log = Enumerable.Range(1, 1000).Select(i => new LogRow(i, 3.0 / i, 0.01, i)).ToList();
        var curves = new[] { new TrainingCurve("base", 0, log), new TrainingCurve("base", 1, log), new TrainingCurve("better", 0, log[..10]) };
        var figure = Json(Charts.TrainingCurves(curves));
        HasTitles(figure, "Training loss", "iteration", "training loss (mean over each log interval)");
        var traces = figure["data"]!.AsArray();
        Assert.Equal([true, false, true], traces.Select(t => t!["showlegend"]!.GetValue<bool>()));
        Assert.Equal(Charts.MaxCurvePoints, traces[0]!["x"]!.AsArray().Count);
        Assert.Equal(1000, traces[0]!["x"]!.AsArray().Last()!.GetValue<int>());
        Assert.Equal(10, traces[2]!["x"]!.AsArray().Count);
    }

    [Fact]
    public void Charts_without_data_say_so_and_missing_numbers_are_null_not_NaN()
    {
        var empty = Json(Charts.PerClassIoU([]));
        Assert.Contains("no finished runs", empty["layout"]!["annotations"]![0]!["text"]!.GetValue<string>());
        var rows = new List<RunRow> { Row("base", 0, double.NaN, [double.NaN, 1, null]) };
        string json = GenericChart.toFigureJson(Charts.PerClassIoU(rows));
        Assert.DoesNotContain("NaN", json);
        Assert.True(json.Length < 5000, $"chart JSON is {json.Length} characters");
    }

    [Fact]
    public void Flow_magnitudes_compare_models_field_by_field_in_input_pixels()
    {
        FlowMap M(string name, float d) => new(name, 2, 2, [d, d, d, d], [0, 0, 0, 0], 8, 8);
        var figure = Json(Charts.FlowMagnitudes([("corrected", [M("cab2.high", 1), M("cam", 0.5f)]), ("official", [M("cab2.high", 0.25f), M("cam", 0)])]));
        HasTitles(figure, "Flow magnitude per field", "field (module.level)", "mean displacement (input pixels, log scale)");
        Assert.Equal(4.0, figure["data"]![0]!["y"]![0]!.GetValue<double>());   // 1 grid pixel × stride 4
        // Dots, not bars, on the log axis, with a tick at every power of ten.
        Assert.All(figure["data"]!.AsArray(), t => Assert.Equal("markers", t!["mode"]!.GetValue<string>()));
        Assert.Equal(1, figure["layout"]!["yaxis"]!["dtick"]!.GetValue<int>());
    }
}
