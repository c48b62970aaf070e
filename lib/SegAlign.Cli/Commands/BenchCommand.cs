using System.CommandLine;
using System.Globalization;
using SegAlign.Experiments;
using SegAlign.Measurement;
using SegAlign.Models;
using SegAlign.Platform;
using Spectre.Console;
using TorchSharp;

namespace SegAlign.Cli;

public static partial class Commands
{
    static Command Bench()
    {
        var command = new Command("bench", "Measure every decoder on this machine: parameters, GMACs (every op counted), inference latency, " +
                                           "training throughput and its share of the measured fp32 matmul peak. Writes results/<preset>/bench/<environment>_<size>px.csv.");
        var decoders = new Option<string[]?>("--decoders") { Description = "Decoders to measure, separated by spaces or commas (default: all registered).", AllowMultipleArgumentsPerToken = true };
        var size = new Option<int?>("--size") { Description = "Input size in pixels (default: the preset's FashionScenes size)." };
        var preset = new Option<string>("--preset") { Description = "Preset whose model, data and batch size are measured.", DefaultValueFactory = _ => "full" };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var iterations = new Option<int>("--iterations") { Description = "Timed training iterations per decoder.", DefaultValueFactory = _ => 30 };
        var memory = new Option<int?>("--memory") { Description = "Instead: train this many iterations of the first decoder and report resident memory at the start and the end (leak check)." };
        var latencyFor = new Option<string?>("--latency-for") { Description = "Instead: measure the latency of every variant of an experiment (or all) and store it for the ablation tables." };
        foreach (var o in new Option[] { decoders, size, preset, threads, iterations, memory, latencyFor }) command.Add(o);

        command.SetAction(p => SegAlignCommand.Guard(() =>
        {
            int threadCount = OptionChecks.Threads(p.GetValue(threads));
            if (p.GetValue(size) is int pixels) OptionChecks.AtLeast(pixels, 16, "--size", "use an input size of at least 16 pixels, e.g. 64");
            OptionChecks.AtLeast(p.GetValue(iterations), 1, "--iterations", "use e.g. 30");
            if (p.GetValue(memory) is int memoryCount) OptionChecks.AtLeast(memoryCount, 1, "--memory", "use e.g. 200");
            TorchRuntime.Initialise(threadCount);
            var runtime = TorchRuntime.Describe();
            Console.WriteLine($"device: {runtime}");
            string presetName = p.GetValue(preset)!;
            var names = (OptionChecks.List(p.GetValue(decoders)) ?? DecoderRegistry.Names.ToArray()).ToList();

            if (p.GetValue(latencyFor) is { } experiment) return MeasureExperimentLatency(experiment, presetName, runtime);
            if (p.GetValue(memory) is int memoryIterations) return MeasureMemory(names[0], presetName, p.GetValue(size), memoryIterations);

            double peak = Benchmarks.MatmulPeakGflops();
            Console.WriteLine($"fp32 matmul peak: {peak:F1} GFLOP/s with {runtime.Threads} thread(s)");
            var rows = new List<BenchRow>();
            foreach (var name in names)
            {
                var config = ExperimentPlan.ConfigForDecoder(name, presetName, p.GetValue(size));
                Console.Write($"measuring {name} … ");
                var row = BenchTable.Measure(name, config, p.GetValue(iterations), peak);
                Console.WriteLine($"{row.Throughput.ImagesPerSecond:F0} img/s, sweep {row.Sweep.ImagesPerSecond:F0} img/s");
                rows.Add(row);
            }
            var table = new Table().AddColumns("decoder", "params (M)", "GMACs", "latency ms (IQR)", "train img/s", "% of peak", $"sweep img/s ({runtime.Threads}×1 thread)", "% of peak");
            foreach (var c in table.Columns.Skip(1)) c.RightAligned();
            foreach (var r in rows)
                table.AddRow(r.Decoder, (r.Parameters / 1e6).ToString("F2", CultureInfo.InvariantCulture), r.GMacs.ToString("F3", CultureInfo.InvariantCulture),
                    $"{r.Latency.MedianMs:F1} ({r.Latency.P25Ms:F1}–{r.Latency.P75Ms:F1})", r.Throughput.ImagesPerSecond.ToString("F0", CultureInfo.InvariantCulture),
                    r.Throughput.FractionOfPeak.ToString("P0", CultureInfo.InvariantCulture), r.Sweep.ImagesPerSecond.ToString("F0", CultureInfo.InvariantCulture),
                    r.Sweep.FractionOfPeak.ToString("P0", CultureInfo.InvariantCulture));
            Terminal.Current().Write(table);
            Console.WriteLine($"GMACs: multiply-accumulates of one inference forward pass at {rows[0].Size}×{rows[0].Size} (convention: README, \"How FLOPs are counted\"); " +
                              "training GFLOP/s = GMACs × 2 × 3 (forward + backward) × img/s; % of the fp32 matmul peak measured in this run.");
            string file = BenchTable.Save(rows, runtime, Path.Combine(Presets.RepositoryRoot, "results", presetName, "bench"));
            Console.WriteLine($"written: {file}");
            return 0;
        }));
        return command;
    }

    static int MeasureMemory(string decoder, string preset, int? size, int iterations)
    {
        var config = ExperimentPlan.ConfigForDecoder(decoder, preset, size);
        Console.WriteLine($"training {decoder} for {iterations} iterations, sampling resident memory …");
        var result = Benchmarks.Memory(config, iterations, progress: new ImmediateProgress<int>(i => { if (i % Math.Max(1, iterations / 10) == 0) Console.WriteLine($"  {i}/{iterations}"); }));
        foreach (var (iteration, bytes) in result.Samples) Console.WriteLine($"  iteration {iteration,6}: {bytes / 1048576.0,8:F1} MiB");
        Console.WriteLine($"resident memory: {result.StartBytes / 1048576.0:F1} MiB after warm-up → {result.EndBytes / 1048576.0:F1} MiB at the end ({result.GrowthMiB:+0.0;-0.0} MiB)");
        return 0;
    }

    static int MeasureExperimentLatency(string experiment, string preset, RuntimeInfo runtime)
    {
        var names = experiment == "all" ? ExperimentDefinition.Available(preset) : [experiment];
        var store = ResultsStore.ForPreset(preset);
        var planned = names.Select(ExperimentDefinition.Load).SelectMany(d => ExperimentPlan.Resolve(d, preset, seeds: [d.Seeds[0]])).ToList();
        LatencyCache.MeasureMissing(store, planned, Console.WriteLine);
        Console.WriteLine($"latency ({runtime.Threads} thread(s)) stored in {LatencyCache.File(store)}");
        return 0;
    }
}
