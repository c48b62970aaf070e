using SegAlign.Cli;
using SegAlign.Experiments;
using SegAlign.Training;

namespace SegAlign.Tests.Cli;

/// <summary>The command line as a user types it (in-process): exit codes, messages, and what lands on disk.</summary>
public class CommandLineTests
{
    [Fact]
    public void The_library_names_a_setting_and_the_command_line_shows_the_option_that_sets_it()
    {
        // Issue 31: a notebook user never typed --preset; the CLI user did.
        var e = Assert.Throws<InputException>(() => Presets.BaselineJson("tiny"));
        Assert.StartsWith("preset: unknown preset 'tiny'", e.Message);
        Assert.StartsWith("--preset: unknown preset 'tiny'. Fix: use one of: ", SegAlignCommand.Message(e));
        var trimap = Assert.Throws<InputException>(() => new SegAlign.Evaluation.BoundaryOptions { TrimapWidths = [0] }.Validate());
        Assert.StartsWith("--trimap: band widths", SegAlignCommand.Message(trimap));
        var file = new InputException("config.json", "is not JSON", "fix it");
        Assert.Equal(file.Message, SegAlignCommand.Message(file));
    }

    static (int Code, string Out, string Error) Run(params string[] args) => Reliability.CliRunner.Run(args);

    [Fact]
    public void Train_with_a_decoder_gets_its_registry_defaults_unless_an_option_sets_them()
    {
        var (code, output, error) = Run("train", "--preset", "smoke", "--decoder", "deeplabv3", "--print-config");
        Assert.True(code == 0, error);
        Assert.Matches("\"outputStride\": 8", output);
        var (_, chosen, _) = Run("train", "--preset", "smoke", "--decoder", "deeplabv3", "--set", "model.outputStride=16", "--print-config");
        Assert.Matches("\"outputStride\": 16", chosen);
    }

    [Fact]
    public void Train_at_the_smoke_preset_prints_and_saves_its_metrics()
    {
        string folder = TestConfigs.NewRunFolder();
        var (code, output, error) = Run("train", "--preset", "smoke", "--out", folder, "--threads", "1");
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Contains("mIoU", output);
        Assert.Contains("T-shirt/top", output);
        Assert.True(File.Exists(Path.Combine(folder, "metrics.json")));
    }

    [Fact]
    public void Bench_prints_its_table_and_writes_its_csv()
    {
        string folder = Directory.CreateTempSubdirectory("segalign-bench-cli-").FullName;
        try
        {
            var (code, output, error) = Run("bench", "--preset", "smoke", "--decoders", "fpn", "--threads", "1", "--rounds", "2", "--iterations", "1", "--warmup", "0", "--results", folder);
            Assert.True(code == 0, $"exit {code}: {error}");
            Assert.Matches(@"\d+ \[\d+\.\.\d+\]", output); // "median [min..max]" cells print as text, not markup
            var csv = Assert.Single(Directory.GetFiles(folder, "*.csv"));
            Assert.Contains("fpn", File.ReadAllText(csv));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void Bench_in_bf16_writes_its_own_csv_beside_the_fp32_one()
    {
        string folder = Directory.CreateTempSubdirectory("segalign-bench-bf16-").FullName;
        try
        {
            var (code, output, error) = Run("bench", "--preset", "smoke", "--decoders", "fpn", "--threads", "1", "--rounds", "1", "--iterations", "1", "--warmup", "0",
                "--precision", "bf16", "--results", folder);
            Assert.True(code == 0, $"exit {code}: {error}");
            Assert.Contains("bf16 mixed precision", output);
            var csv = Assert.Single(Directory.GetFiles(folder, "*.csv"));
            Assert.EndsWith("px_bf16.csv", csv);
            var config = ExperimentPlan.ConfigForDecoder("fpn", "smoke", null);
            string hash = (config with { Train = config.Train with { Precision = SegAlign.Config.TrainPrecision.Bf16 } }).Hash();
            Assert.StartsWith($"fpn,{hash},", File.ReadAllLines(csv)[1]);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void Train_takes_precision_bf16_from_set_and_refuses_an_unknown_precision()
    {
        var (code, output, error) = Run("train", "--preset", "smoke", "--set", "train.precision=bf16", "--print-config");
        Assert.True(code == 0, error);
        Assert.Contains("\"precision\": \"bf16\"", output);
        Reliability.CliRunner.AssertBadInput(Run("train", "--preset", "smoke", "--set", "train.precision=fp16", "--print-config"),
            "--set", "train.precision", "\"fp32\"", "\"bf16\"", "fp16");
    }

    [Fact]
    public void Bench_refuses_an_unknown_precision_a_bf16_peer_column_and_remeasure_without_latency_for()
    {
        Reliability.CliRunner.AssertBadInput(Run("bench", "--preset", "smoke", "--precision", "fp16"), "--precision", "fp16", "bf16");
        Reliability.CliRunner.AssertBadInput(Run("bench", "--preset", "smoke", "--precision", "bf16", "--peer"), "--peer", "fp32");
        Reliability.CliRunner.AssertBadInput(Run("bench", "--preset", "smoke", "--remeasure"), "--remeasure", "--latency-for");
    }

    [Fact]
    public void A_worker_trains_the_request_a_sweep_wrote_into_its_run_folder()
    {
        var folder = new SegAlign.Training.RunFolder(TestConfigs.NewRunFolder());
        var config = ConfigOverrides.Apply(Presets.Baseline("smoke"), ConfigOverrides.Parse(["train.iterations=2"]));
        string request = new WorkerRequest { Config = config, Seed = 1, Threads = 1 }.SaveIn(folder);

        var (code, _, error) = Run("worker", request);
        Assert.True(code == 0, $"exit {code}: {error}");
        Assert.Equal(1, folder.ReadMetrics().Seed);

        var missing = Run("worker", Path.Combine(folder.Path, "nothing.json"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("Fix:", missing.Error);
    }

    [Fact]
    public void Ablation_run_without_seed_or_variant_filters_trains_every_planned_run()
    {
        string results = Directory.CreateTempSubdirectory("segalign-cli-").FullName;
        var (code, output, error) = Run("ablation", "run", "ifa", "--preset", "smoke", "--jobs", "1", "--set", "train.iterations=1", "--results", results);
        Assert.True(code == 0, error);
        var experiment = ExperimentDefinition.Load("ifa");
        int distinct = ExperimentPlan.Resolve(experiment, "smoke", ConfigOverrides.Parse(["train.iterations=1"])).Select(r => r.Key).Distinct().Count();
        Assert.Equal(distinct, Directory.GetDirectories(Path.Combine(results, "smoke", "runs")).Length);
        Assert.True(File.Exists(Path.Combine(results, "smoke", "ifa", "summary.md")));
        Assert.True(File.Exists(Path.Combine(results, "smoke", "runs.csv")));
        Assert.Contains("| ifa |", output);
    }

    [Theory]
    [InlineData("ablation run nosuch --preset smoke", "unknown experiment 'nosuch'")]
    [InlineData("ablation run sfnet --preset tiny", "unknown preset 'tiny'")]
    [InlineData("ablation run sfnet --preset smoke --set model.decoder=fpn", "contradicts variant")]
    [InlineData("train --preset smoke --decoder ghost", "unknown decoder 'ghost'")]
    [InlineData("train --preset smoke --set train.batchSize=0", "train.batchSize")]
    [InlineData("train --preset smoke --set train.iterations=5 --set train.iterations=6", "set twice")]
    public void Bad_input_exits_2_with_one_line_that_names_it(string commandLine, string expected)
    {
        var (code, _, error) = Run(commandLine.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
