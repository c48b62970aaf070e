using SegAlign.Cli;
using System.Diagnostics;
using SegAlign.Experiments;
using SegAlign.Training;

namespace SegAlign.Tests.Experiments;

public class ExperimentRunnerTests
{
    static (ExperimentDefinition Experiment, IReadOnlyList<PlannedRun> Runs) SmokeSfnet()
    {
        var experiment = ExperimentDefinition.Load("sfnet");
        var runs = ExperimentPlan.Resolve(experiment, "smoke", ConfigOverrides.Parse(["train.iterations=2"]), seeds: [0, 1], variants: ["bilinear", "fam"]);
        return (experiment, runs);
    }

    [Fact]
    public void A_sweep_trains_what_is_missing_once_and_a_second_sweep_trains_nothing()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var (_, runs) = SmokeSfnet();
        var doubled = runs.Concat(runs).ToList(); // the same run reached twice (like the shared baseline)

        var first = ExperimentRunner.Run(doubled, store, new InProcessExecutor(), jobs: 1, threadsPerJob: 1);
        Assert.Equal(4, first.Planned);
        Assert.Equal(4, first.Trained);
        Assert.Empty(first.Failures);

        var second = ExperimentRunner.Run(runs, store, new InProcessExecutor(), jobs: 1, threadsPerJob: 1);
        Assert.Equal(4, second.AlreadyDone);
        Assert.Equal(0, second.Trained);
    }

    [Fact]
    public void A_folder_under_a_planned_key_holding_another_run_stops_the_sweep_before_training()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var (_, runs) = SmokeSfnet();
        var first = runs[0];
        var other = runs.First(r => r.Hash != first.Hash);
        // Put another run's config where `first` belongs.
        store.Folder(first).WriteConfig(other.Config, other.Seed, other.Hash, "test");
        var e = Assert.Throws<InputException>(() => ExperimentRunner.Run(runs, store, new InProcessExecutor(), 1, 1));
        Assert.Contains(first.Hash, e.Message);
        Assert.All(runs.Skip(1), r => Assert.False(store.Folder(r).IsComplete));
    }

    [Fact]
    public void Collect_writes_the_tidy_table_and_a_paper_style_summary()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var (experiment, runs) = SmokeSfnet();
        ExperimentRunner.Run(runs, store, new InProcessExecutor(), 1, 1);

        var rows = ExperimentRunner.Rows(runs, store);
        var table = ResultsTable.Build(rows);
        Assert.Equal(4, table.Rows.Count);
        foreach (var column in new[] { "experiment", "variant", "seed", "miou", "macc", "aacc", "boundary_f", "trimap_1px", "iou_t_shirt_top", "gmacs", "params", "latency_ms", "train_seconds", "commit", "config_hash" })
            Assert.Contains(column, table.Columns.Select(c => c.Name));
        string csv = Path.Combine(store.Root, "runs.csv");
        ResultsTable.Save(table, csv);
        Assert.Equal(4, ResultsTable.Load(csv).Rows.Count);

        var summary = ExperimentSummary.From(experiment, "smoke", rows, plannedRuns: experiment.Variants.Count * 2);
        var fam = summary.Variants.Single(v => v.Variant == "fam");
        Assert.Equal(2, fam.VersusBaseline!.Pairs);
        Assert.Equal(rows.Where(r => r.Run.Variant == "fam").Average(r => r.Metrics.MeanIoU) - rows.Where(r => r.Run.Variant == "bilinear").Average(r => r.Metrics.MeanIoU),
            fam.VersusBaseline.Delta, 9);
        string markdown = summary.ToMarkdown();
        Assert.Contains("| fam |", markdown);
        Assert.Contains("paired t-test", markdown);
        Assert.Contains("missing", markdown); // fam-p4 and fam-p2 were not run
        Assert.Contains(summary.Claims, c => c.Claim.Variant == "fam" && c.Claim.Metric == "miou");
    }

    [Fact]
    public void The_slurm_script_has_one_array_task_per_pending_run()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var (experiment, runs) = SmokeSfnet();
        string script = SlurmScript.Emit(experiment, "smoke", store, runs.Concat(runs).ToList());
        string text = File.ReadAllText(script);
        Assert.Contains("#SBATCH --array=0-3", text);
        Assert.Contains("train --config", text);
        var manifest = File.ReadAllLines(Path.Combine(store.ExperimentFolder("sfnet"), "slurm-manifest.tsv"));
        Assert.Equal(4, manifest.Length);
        Assert.All(manifest, line => Assert.True(File.Exists(Path.Combine(store.Root, "configs", line.Split('\t')[1] + ".json"))));
    }

    [Fact]
    public void A_child_worker_is_handed_a_request_file_in_its_run_folder_that_reads_back_as_the_run()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var run = SmokeSfnet().Runs[1];
        string? handed = null;
        new ChildProcessExecutor(request => { handed = request; return new ProcessStartInfo("true"); })
            .Execute(run, store.Folder(run), threads: 2, CancellationToken.None);

        Assert.Equal(store.Folder(run).RequestFile, handed);
        var request = WorkerRequest.Load(handed!);
        Assert.Equal(run.Hash, request.Config.Hash());
        Assert.Equal(run.Seed, request.Seed);
        Assert.Equal(2, request.Threads);
    }
}
