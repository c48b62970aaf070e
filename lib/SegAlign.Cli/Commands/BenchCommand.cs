using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SegAlign.Config;
using SegAlign.Experiments;
using SegAlign.Measurement;
using SegAlign.Models;
using SegAlign.Platform;
using SegAlign.Training;
using Spectre.Console;
using TorchSharp;

namespace SegAlign.Cli;

public static partial class Commands
{
    static Command Bench()
    {
        var command = new Command("bench", "Measure every decoder on this machine: parameters, GMACs (every op counted), inference latency, the data pipeline's cost, " +
                                           "and training throughput on pre-generated batches in rounds, each beside its own fp32 matmul reference — one process with every thread, " +
                                           "real 1-thread worker processes as `ablation run` trains, and with --peer the PyTorch replica. Writes results/<preset>/bench/<environment>_<size>px.csv (…px_bf16.csv with --precision bf16).");
        var decoders = new Option<string[]?>("--decoders") { Description = "Decoders to measure, separated by spaces or commas (default: all registered).", AllowMultipleArgumentsPerToken = true };
        var size = new Option<int?>("--size") { Description = "Input size in pixels (default: the preset's FashionScenes size)." };
        var preset = OptionChecks.PresetOption("Whose model, data and batch size are measured (default v1: the 64-px models the PyTorch replica mirrors).", "v1");
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = all cores); the sweep column starts this many 1-thread processes.", DefaultValueFactory = _ => 0 };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds per decoder (min, median and max are reported).", DefaultValueFactory = _ => 5 };
        var iterations = new Option<int>("--iterations") { Description = "Timed training iterations per round.", DefaultValueFactory = _ => 10 };
        // 100, not 5: .NET's tiered JIT recompiles a method called once per step only after ~60 steps (call counting, then
        // PGO instrumentation, then the optimised tier) on a background thread that, in a 2-thread process on 2 cores, takes
        // a core from libtorch's OpenMP team; with 5 warm-up steps the 2-thread figure read 8-20 % low (issue 15).
        var warmup = new Option<int>("--warmup") { Description = "Untimed training iterations before the first round, in every process (enough for the JIT to finish optimising the training step).", DefaultValueFactory = _ => 100 };
        var peer = new Option<bool>("--peer") { Description = "Also time the PyTorch replica (environment/peer/) in the same rounds with /usr/bin/python3's torch and write SegAlign/PyTorch per round." };
        var memory = new Option<int?>("--memory") { Description = "Instead: train this many iterations of the first decoder and report resident memory at the start and the end (leak check)." };
        var results = new Option<string?>("--results") { Description = "Folder for the bench CSV (default: results/<preset>/bench of the repository); with --latency-for, the results folder whose <preset>/latency.csv the ablation tables read (default: results/)." };
        var precision = new Option<string>("--precision") { Description = "Number format of the timed training step: fp32, or bf16 (train.precision = bf16: mixed precision, " +
                                                                           "its own CSV). Latency stays fp32 inference.", DefaultValueFactory = _ => "fp32" };
        var latencyFor = new Option<string?>("--latency-for") { Description = "Instead: measure the latency of every variant of an experiment (or all) and store it for the ablation tables." };
        var remeasure = new Option<bool>("--remeasure") { Description = "With --latency-for: measure every variant again and replace the stored latencies (e.g. on an idle machine after a sweep), instead of only those missing." };
        foreach (var o in new Option[] { decoders, size, preset, threads, rounds, iterations, warmup, precision, peer, results, memory, latencyFor, remeasure }) command.Add(o);

        command.SetAction(p => SegAlignCommand.Guard(() =>
        {
            int threadCount = OptionChecks.Threads(p.GetValue(threads));
            if (p.GetValue(size) is int pixels) OptionChecks.AtLeast(pixels, 16, "--size", "use an input size of at least 16 pixels, e.g. 64");
            OptionChecks.AtLeast(p.GetValue(rounds), 1, "--rounds", "use e.g. 5");
            OptionChecks.AtLeast(p.GetValue(iterations), 1, "--iterations", "use e.g. 10");
            OptionChecks.AtLeast(p.GetValue(warmup), 0, "--warmup", "use e.g. 100");
            if (p.GetValue(memory) is int memoryCount) OptionChecks.AtLeast(memoryCount, 1, "--memory", "use e.g. 200");
            var trainPrecision = OptionChecks.Precision(p.GetValue(precision)!);
            if (p.GetValue(remeasure) && p.GetValue(latencyFor) is null)
                throw new InputException("--remeasure", "only applies to stored latencies", "use it with --latency-for <experiment|all>");
            // The replica trains in float32: a SegAlign/PyTorch ratio across precisions would compare different work.
            if (trainPrecision != TrainPrecision.Fp32 && p.GetValue(peer))
                throw new InputException("--peer", "times the PyTorch replica in fp32, so it cannot stand beside a bf16 training step",
                    "measure the peer column with --precision fp32, and bf16 in a separate bench without --peer");
            string? peerTorch = p.GetValue(peer) ? PeerReplica.RequireTorch() : null;
            TorchRuntime.Initialise(threadCount);
            var runtime = TorchRuntime.Describe();
            Console.WriteLine($"device: {runtime}");
            Console.WriteLine($"native heap: {NativeHeap.Policy} (SegAlign processes; {NativeHeap.PolicyVariable}=default keeps the C library's policy)");
            if (peerTorch is not null) Console.WriteLine($"peer: PyTorch {peerTorch} ({PeerReplica.Python}, {PeerReplica.Script})");
            string presetName = OptionChecks.Preset(p.GetValue(preset)!);
            var names = (OptionChecks.List(p.GetValue(decoders)) ?? DecoderRegistry.Names.ToArray()).ToList();

            if (p.GetValue(latencyFor) is { } experiment) return MeasureExperimentLatency(experiment, presetName, runtime, p.GetValue(remeasure), p.GetValue(results));
            if (p.GetValue(memory) is int memoryIterations) return MeasureMemory(names[0], presetName, p.GetValue(size), memoryIterations);

            var plan = new BenchPlan(p.GetValue(rounds), p.GetValue(iterations), p.GetValue(warmup), runtime.Threads, BenchWorkerCommand, peerTorch);
            var rows = new List<BenchRow>();
            foreach (var name in names)
            {
                var config = ExperimentPlan.ConfigForDecoder(name, presetName, p.GetValue(size));
                // fp32 stays unset, so an fp32 row keeps the config hash of the run it times.
                if (trainPrecision != TrainPrecision.Fp32) config = config with { Train = config.Train with { Precision = trainPrecision } };
                if (names[0] == name && MixedPrecision.EmulationWarning(config.Train, TorchRuntime.Device) is { } warning) Console.WriteLine(warning);
                Console.WriteLine($"measuring {name} …");
                rows.Add(BenchRun.Measure(name, config, plan, line => Console.WriteLine("  " + line)));
            }
            // Saved before printing: a display problem must not cost the measurements.
            string file = BenchTable.Save(rows, runtime, p.GetValue(results) ?? Path.Combine(Presets.RepositoryRoot, "results", presetName, "bench"), trainPrecision);
            PrintBench(rows, runtime, trainPrecision);
            Console.WriteLine($"written: {file}");
            return 0;
        }));
        return command;
    }

    static void PrintBench(IReadOnlyList<BenchRow> rows, RuntimeInfo runtime, TrainPrecision precision)
    {
        static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        var first = rows[0];
        var table = new Table().AddColumns("decoder", "params (M)", "GMACs", "latency ms", "data img/s", $"train img/s (1×{runtime.Threads})", "% of matmul",
            $"sweep img/s ({runtime.Threads}×1 processes)", "% of matmul", "PyTorch img/s", "SegAlign/PyTorch");
        foreach (var c in table.Columns.Skip(1)) c.RightAligned();
        foreach (var r in rows)
            AddPlainRow(table, r.Decoder, F(r.Parameters / 1e6, "F2"), F(r.GMacs, "F3"), $"{F(r.Latency.MedianMs, "F1")} ({F(r.Latency.P25Ms, "F1")}–{F(r.Latency.P75Ms, "F1")})",
                F(r.DataImagesPerSecond, "F0"), r.Training.ImagesPerSecond.Format("F0"), Percent(r.Training.FractionOfPeak),
                r.Sweep?.ImagesPerSecond.Format("F0") ?? "–", r.Sweep is null ? "–" : Percent(r.Sweep.FractionOfPeak),
                r.Peer?.ImagesPerSecond.Format("F0") ?? "–", r.Peer?.Ratio.Format("F2") ?? "–");
        Terminal.Current().Write(table);
        Console.WriteLine($"median [min..max] over {first.Rounds} rounds of {first.IterationsPerRound} iterations (batch {first.BatchSize}) after untimed warm-up, on batches generated " +
                          "before timing (data img/s: the generator alone, one thread). GMACs: one inference forward pass at " +
                          $"{first.Size}×{first.Size} (docs/flop-counting.md); % of matmul = GMACs × 2 × 3 × img/s ÷ the fp32 " +
                          $"{BenchWorker.ReferenceSize}² matmul GFLOP/s measured in the same round by the same processes." +
                          (precision == TrainPrecision.Fp32 ? "" : $" Training step in {precision.ToString().ToLowerInvariant()} mixed precision (train.precision); latency in fp32."));
    }

    // Cells are plain text: "median [min..max]" would otherwise be read as Spectre markup and throw.
    static void AddPlainRow(Table table, params string[] cells) => table.AddRow(cells.Select(Markup.Escape).ToArray());

    static string Percent(Spread s) =>
        $"{(100 * s.Median).ToString("F0", CultureInfo.InvariantCulture)} [{(100 * s.Min).ToString("F0", CultureInfo.InvariantCulture)}..{(100 * s.Max).ToString("F0", CultureInfo.InvariantCulture)}] %";

    /// <summary>Hidden: the worker process the bench's sweep column starts (one libtorch thread each, as `ablation run`'s workers).</summary>
    static Command BenchWorkerEntry()
    {
        var command = new Command("bench-worker", "Serve training rounds for `segalign bench` from a request file it wrote (started by `bench`).") { Hidden = true };
        var request = new Argument<string>("request") { Description = "The request file `segalign bench` wrote." };
        command.Add(request);
        command.SetAction(parse => SegAlignCommand.Guard(() => BenchWorker.Serve(parse.GetValue(request)!, Console.In, Console.Out)));
        return command;
    }

    static ProcessStartInfo BenchWorkerCommand(string requestFile) => SegAlignProcess("bench-worker", requestFile);

    static int MeasureMemory(string decoder, string preset, int? size, int iterations)
    {
        var config = ExperimentPlan.ConfigForDecoder(decoder, preset, size);
        Console.WriteLine($"training {decoder} for {iterations} iterations, sampling resident memory …");
        var result = Benchmarks.Memory(config, iterations, progress: new ImmediateProgress<int>(i => { if (i % Math.Max(1, iterations / 10) == 0) Console.WriteLine($"  {i}/{iterations}"); }));
        foreach (var (iteration, bytes) in result.Samples) Console.WriteLine($"  iteration {iteration,6}: {bytes / 1048576.0,8:F1} MiB");
        Console.WriteLine($"resident memory: {result.StartBytes / 1048576.0:F1} MiB after warm-up → {result.EndBytes / 1048576.0:F1} MiB at the end ({result.GrowthMiB:+0.0;-0.0} MiB)");
        return 0;
    }

    /// <param name="results">--results: the results folder the tables read (its &lt;preset&gt;/latency.csv), as `ablation --results` takes it.</param>
    static int MeasureExperimentLatency(string experiment, string preset, RuntimeInfo runtime, bool remeasure, string? results)
    {
        var names = experiment == "all" ? ExperimentDefinition.Available(preset) : [experiment];
        var store = ResultsStore.ForPreset(preset, results);
        var planned = names.Select(ExperimentDefinition.Load).SelectMany(d => ExperimentPlan.Resolve(d, preset, seeds: [d.Seeds[0]])).ToList();
        LatencyCache.Measure(store, planned, Console.WriteLine, remeasure);
        Console.WriteLine($"latency ({runtime.Threads} thread(s)) stored in {LatencyCache.File(store)}");
        return 0;
    }
}
