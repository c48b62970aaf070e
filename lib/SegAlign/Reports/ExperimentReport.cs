using SegAlign.Platform;
using System.Globalization;
using System.Text.Json.Nodes;
using SegAlign.Evaluation;
using SegAlign.Experiments;
using SegAlign.Training;
using SegAlign.Visualisation;

namespace SegAlign.Reports;

/// <summary>
/// An experiment's report from its finished runs under results/&lt;preset&gt;/: the paper-style table with the paper's
/// claims beside ours, per-seed and cost charts, per-class IoU, every run, and the environment. Reads only: it
/// never trains, and never rewrites summaries or runs.csv.
/// </summary>
public static class ExperimentReport
{
    /// <summary>results/&lt;preset&gt;/&lt;experiment&gt;/report.html.</summary>
    public static string DefaultOutputPath(ResultsStore store, string experiment) => Path.Combine(store.ExperimentFolder(experiment), "report.html");

    /// <exception cref="InputException">Unknown experiment or preset, a bad override, or no finished run to report.</exception>
    public static ReportPage Build(string experiment, string preset, ResultsStore store, IReadOnlyDictionary<string, JsonNode?>? overrides = null)
    {
        var definition = ExperimentDefinition.Load(experiment);
        var planned = ExperimentPlan.Resolve(definition, preset, overrides);
        var rows = Directory.Exists(store.Root) ? ExperimentRunner.Rows(planned, store, LatencyCache.Load(store)) : [];
        if (rows.Count == 0) throw NothingToReport(definition, preset, store, overrides);
        var summary = ExperimentSummary.From(definition, preset, rows, planned.Count, ClaimRegistry.Changed(store, definition));
        var variants = summary.Variants.Select(v => v.Variant).ToList();
        IReadOnlyList<RunRow> Runs(string variant) => rows.Where(r => r.Run.Variant == variant).OrderBy(r => r.Run.Seed).ToList();

        var page = new ReportPage($"{definition.Title} — {preset}");
        page.Heading(1, $"Ablation report: {definition.Name}, preset {preset}");
        if (definition.Paper.Length > 0) page.Add($"<p class=\"muted\">{Html.Escape(definition.Paper)}{(definition.Code.Length > 0 ? $"<br>Reference code: {Html.Escape(definition.Code)}" : "")}</p>\n");
        // The same table `segalign ablation summary` prints, so the report and the terminal never disagree.
        // Cross-links: the page sits at results/<preset>/<experiment>/report.html, beside the preset's claims page and index.
        page.Add("<p class=\"muted\">Every paper's claims at this preset: <a href=\"../claims.html\">claims.html</a> · <a href=\"../README.md\">results index</a> · " +
                 $"this experiment's table: <a href=\"summary.md\">summary.md</a></p>\n");
        page.Add(ProtocolBlock.Html(definition, preset, rows));
        page.Heading(2, "Verdicts", "verdicts");
        page.Chart(ReportCharts.Forest([summary]),
            "Each claim's paired Δ with its 95 % interval, coloured by verdict; the shaded band is the ±1 equivalence margin. Diagnostics (grey) are ours and get no verdict.");
        page.Add(ReportMarkdown.Render(summary.ToMarkdown()));

        page.Heading(2, "Per seed", "per-seed");
        page.Chart(ReportCharts.PerSeed(variants.Select(v => Seeds(v, Runs(v), r => r.Metrics.MeanIoU)).ToList(), "mIoU per seed", "mIoU (%)"),
            "Each dot is one seed (spread sideways so equal values all show); the mean ± sample std beside it. Same seed = same initialisation and data order across variants.");
        page.Chart(ReportCharts.PerSeed(variants.Select(v => Seeds(v, Runs(v), r => r.Metrics.BoundaryF)).ToList(), "Boundary F-score per seed", "boundary F (%)"));
        page.Heading(2, "Cost", "cost");
        var costs = summary.Variants.Select(v => CostPoint.Of(v, v.GMacs)).ToList();
        if (Pareto.AllCostsEqual(costs)) page.Paragraph(Pareto.Describe(costs, "GMACs"));
        else
            page.Chart(ReportCharts.CostVersusAccuracy(costs),
                "GMACs of one forward pass at the evaluation resolution (see “How FLOPs are counted” below) against mIoU, mean ± std over seeds. " +
                Pareto.Describe(costs, "GMACs"));
        AddPerClass(page, variants, definition.Baseline, Runs);
        AddConfusions(page, summary, store, Runs);
        AddRuns(page, rows);

        page.Add((ReportEnvironment.Current() with
        {
            Facts = Facts(preset, store, overrides, rows.Count, planned.Count),
            ResultsCommits = rows.GroupBy(r => (r.Metrics.Commit, r.Metrics.Dirty)).Select(g => new ResultsCommit(g.Key.Commit, g.Key.Dirty, g.Count())).ToList(),
            TrainingRuntimes = rows.Select(r => r.Metrics.Runtime).Distinct().ToList(),
            Configs = variants.Select(v => Runs(v)).Select(runs => new VariantConfig(runs[0].Run.Variant, runs[0].Run.Hash,
                runs.Select(r => r.Run.Seed).ToList(), runs[0].Run.Config.Resolved().ToJsonString(Json.Options))).ToList(),
        }).ToHtml());
        return page;
    }

    /// <summary>Builds the report and writes it atomically; returns where.</summary>
    public static string Write(string experiment, string preset, ResultsStore store, string? outputPath = null, IReadOnlyDictionary<string, JsonNode?>? overrides = null)
    {
        var page = Build(experiment, preset, store, overrides);
        string path = Path.GetFullPath(outputPath ?? DefaultOutputPath(store, experiment));
        page.Save(path);
        return path;
    }

    static SeedValues Seeds(string variant, IReadOnlyList<RunRow> runs, Func<RunRow, double> metric) =>
        new(variant, runs.Select(r => (r.Run.Seed, metric(r))).ToList());

    static void AddPerClass(ReportPage page, IReadOnlyList<string> variants, string baseline, Func<string, IReadOnlyList<RunRow>> runs)
    {
        var classes = variants.SelectMany(v => runs(v)).SelectMany(r => r.Metrics.Classes.Select(c => c.Name)).Distinct().ToList();
        if (classes.Count == 0) return;
        // A class absent from the validation images has no IoU; it is listed in the table, left out of the chart.
        (double Mean, double Std, int N) Stat(string variant, string name)
        {
            var values = runs(variant).Select(r => r.Metrics.Classes.FirstOrDefault(c => c.Name == name)?.IoU).OfType<double>().ToList();
            return (Statistics.Mean(values), Statistics.StdDev(values), values.Count);
        }
        var charted = classes.Where(c => variants.All(v => Stat(v, c).N > 0)).ToList();
        page.Heading(2, "Per-class IoU", "per-class");
        // Differences against the baseline, paired by seed: a point or two, which 0–100 bars hide.
        Comparison? Delta(string variant, string name)
        {
            double? Of(RunRow r) => r.Metrics.Classes.FirstOrDefault(c => c.Name == name)?.IoU;
            var a = runs(variant).Where(r => Of(r) is not null).ToDictionary(r => r.Run.Seed, r => Of(r)!.Value);
            var b = runs(baseline).Where(r => Of(r) is not null).ToDictionary(r => r.Run.Seed, r => Of(r)!.Value);
            var seeds = a.Keys.Intersect(b.Keys).Order().ToList();
            return seeds.Count == 0 ? null : Comparison.Of(seeds.Select(s => a[s]).ToList(), seeds.Select(s => b[s]).ToList());
        }
        var others = variants.Where(v => v != baseline).ToList();
        if (charted.Count > 0 && others.Count > 0 && variants.Contains(baseline))
            page.Chart(ReportCharts.PerClassDelta(charted, baseline, others.Select(v => (v, (IReadOnlyList<Comparison?>)charted.Select(c => Delta(v, c)).ToList())).ToList()),
                (charted.Count < classes.Count ? $"Left out (no IoU in some variant: absent from the evaluation images): {string.Join(", ", classes.Except(charted))}. " : "") +
                "The table below gives each class's IoU itself.");
        var table = classes.Select(c => (IReadOnlyList<string>)[Html.Escape(c), .. variants.Select(v => Html.Escape(Number(Stat(v, c))))]);
        page.Add("<div class=\"table-scroll\">").Add(Html.Table(["class", .. variants.Select(v => $"{v} IoU (%)")], table)).Add("</div>\n");
    }

    /// <summary>
    /// For each mIoU claim, the comparison arm's confusion matrix and the variant's difference from it: which pixels the
    /// claimed gain moved (named right instead of as another garment, or outlined better against background).
    /// </summary>
    static void AddConfusions(ReportPage page, ExperimentSummary summary, ResultsStore store, Func<string, IReadOnlyList<RunRow>> runs)
    {
        var pairs = summary.Claims.Where(c => c.Claim.Metric == "miou").Select(c => (c.Claim.Variant, c.Claim.Versus)).Distinct()
            .Where(p => runs(p.Variant).Count > 0 && runs(p.Versus).Count > 0).ToList();
        if (pairs.Count == 0) return;
        var classNames = runs(pairs[0].Versus)[0].Metrics.Classes.Select(c => c.Name).ToList();
        var summed = new Dictionary<string, ConfusionMatrix>();
        ConfusionMatrix Summed(string variant)
        {
            if (summed.TryGetValue(variant, out var known)) return known;
            var total = new ConfusionMatrix(classNames.Count);
            foreach (var run in runs(variant)) total.Add(store.Folder(run.Run).ReadConfusion(classNames.Count));
            return summed[variant] = total;
        }
        page.Heading(2, "Where the pixels went", "confusions");
        foreach (var (variant, versus) in pairs)
        {
            if (!summed.ContainsKey(versus))
                page.Chart(ReportCharts.Figure(Charts.Confusion(Summed(versus), classNames, $"Confusion matrix of {versus} (row-normalised, all seeds)")),
                    $"Rows are the true class, columns the predicted one; each row sums to 100 % over {runs(versus).Count} seed(s) of {versus}.");
            page.Chart(ReportCharts.Figure(Charts.ConfusionDifference(Summed(variant), Summed(versus), classNames, variant, versus)),
                $"{variant} − {versus}, each summed over its seeds, in points of the true class's row: blue where {variant} predicts that cell more often, red where less.");
        }
    }

    static string Number((double Mean, double Std, int N) s) =>
        s.N == 0 ? "–" : new Stat(s.Mean, s.Std, s.N).Format();

    static void AddRuns(ReportPage page, IReadOnlyList<RunRow> rows)
    {
        page.Heading(2, "Runs", "runs");
        var table = rows.OrderBy(r => r.Run.Variant).ThenBy(r => r.Run.Seed).Select(r => (IReadOnlyList<string>)
        [
            Html.Escape(r.Run.Variant), Invariant(r.Run.Seed), Invariant(r.Metrics.MeanIoU, "F2"), Invariant(r.Metrics.BoundaryF, "F2"),
            Invariant(r.Metrics.Iterations), Invariant(r.Metrics.TrainSeconds, "F1"), Invariant(r.Metrics.FinalLoss, "F4"),
            $"<code>{Html.Escape(r.Metrics.Commit.Length > 12 ? r.Metrics.Commit[..12] : r.Metrics.Commit)}</code>{(r.Metrics.Dirty ? " dirty" : "")}",
            $"<code>runs/{Html.Escape(r.Run.Key)}</code>",
        ]);
        page.Add(Html.Details($"{rows.Count} finished run(s)",
            "<div class=\"table-scroll\">" + Html.Table(["variant", "seed", "mIoU", "boundary F", "iterations", "train s", "final loss", "commit", "folder"], table) + "</div>"));
    }

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
    static string Invariant(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    static List<KeyValuePair<string, string>> Facts(string preset, ResultsStore store, IReadOnlyDictionary<string, JsonNode?>? overrides, int finished, int planned)
    {
        var facts = new List<KeyValuePair<string, string>>
        {
            new("preset", preset),
            new("results", SafePaths.Shown(store.Root)),
            new("runs", $"{finished} of {planned} planned (variant, seed) pairs finished"),
        };
        if (overrides is { Count: > 0 })
            facts.Add(new("overrides (--set)", string.Join(" ", overrides.Select(o => $"{o.Key}={o.Value?.ToJsonString() ?? "null"}"))));
        return facts;
    }

    /// <summary>Says where results were looked for, and — when runs.csv lists runs of the experiment under other configs — that the overrides differ.</summary>
    static InputException NothingToReport(ExperimentDefinition definition, string preset, ResultsStore store, IReadOnlyDictionary<string, JsonNode?>? overrides)
    {
        string run = $"segalign ablation run {definition.Name} --preset {preset}";
        if (!Directory.Exists(store.Root))
            return new InputException(store.Root, $"does not exist, so there are no {preset} results of {definition.Name} to report", $"run `{run}` first (or pass --results)");
        int elsewhere = RecordedRuns(store, definition.Name);
        string hint = elsewhere > 0
            ? $"runs.csv lists {elsewhere} run(s) of {definition.Name} with other configs: pass the same --set overrides they were run with{(overrides is { Count: > 0 } ? "" : " (none were given)")}"
            : $"run `{run}` first";
        return new InputException(store.Root, $"holds no finished run of {definition.Name} at preset {preset}", hint);
    }

    static int RecordedRuns(ResultsStore store, string experiment)
    {
        if (!File.Exists(store.RunsTable)) return 0;
        try
        {
            var table = ResultsTable.Load(store.RunsTable);
            return table.Rows.Count(row => Equals(row[table.Columns.IndexOf("experiment")], experiment));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
