using System.Diagnostics;
using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Models;
using SegAlign.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Measurement;

/// <summary>Median and spread of repeated timings.</summary>
public sealed record Timing(double MedianMs, double P25Ms, double P75Ms, int Repeats)
{
    public static Timing Of(IReadOnlyList<double> ms)
    {
        var sorted = ms.OrderBy(v => v).ToArray();
        double At(double q) => sorted[(int)Math.Round(q * (sorted.Length - 1))];
        return new Timing(At(0.5), At(0.25), At(0.75), sorted.Length);
    }
    public override string ToString() => $"{MedianMs:F2} ms (IQR {P25Ms:F2}–{P75Ms:F2}, n={Repeats})";
}

/// <summary>Resident memory at the start and the end of a long training run (a leak shows as growth).</summary>
public sealed record MemoryResult(int Iterations, long StartBytes, long EndBytes, IReadOnlyList<(int Iteration, long Bytes)> Samples)
{
    public double GrowthMiB => (EndBytes - StartBytes) / 1048576.0;
}

/// <summary>The measurements behind `segalign bench`. Speed targets live here, never in timed unit tests.</summary>
public static class Benchmarks
{
    /// <summary>
    /// fp32 matrix-multiply throughput of this process with its current threads: the median of repeated n×n
    /// products (the best single repeat overstates). The bench measures it in every round beside the model, because
    /// a shared machine's speed moves by 2× within minutes and a ratio is only meaningful within one time window.
    /// </summary>
    public static double MatmulPeakGflops(int n = 2048, int repeats = 9)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        for (int i = 0; i < 2; i++) matmul(a, b).Dispose();
        var seconds = new List<double>(repeats);
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            matmul(a, b).Dispose();
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        seconds.Sort();
        return 2.0 * n * n * n / seconds[seconds.Count / 2] / 1e9;
    }

    /// <summary>Inference latency per forward pass (eval mode, no autograd) after warm-up.</summary>
    public static Timing Latency(Segmentor model, int height, int width, int batch = 1, int warmup = 5, int repeats = 30)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var input = randn(batch, 3, height, width, device: model.Device());
            for (int i = 0; i < warmup; i++) { using var s = NewDisposeScope(); model.forward(input); }
            var times = new List<double>(repeats);
            for (int i = 0; i < repeats; i++)
            {
                using var s = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                var logits = model.forward(input).Logits;
                if (logits.device_type == DeviceType.CUDA) torch.cuda.synchronize();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            return Timing.Of(times);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Trains for thousands of iterations, sampling resident memory; flat means no tensor leaks.</summary>
    public static MemoryResult Memory(RunConfig config, int iterations, int samples = 20, IProgress<int>? progress = null)
    {
        var train = DatasetRegistry.CreateTrain(config.Data, 0);
        torch.manual_seed(0);
        using var model = new Segmentor(config.Model, train.NumClasses);
        model.to(Platform.TorchRuntime.Device);
        var readings = new List<(int, long)>();
        int every = Math.Max(1, iterations / samples);
        // The first stretch allocates the allocator's pools and the optimiser's state; measure after it.
        int settle = Math.Min(200, iterations / 10);
        TimeTraining(config, model, train, 0, 0, iterations, (iteration) =>
        {
            if (iteration == settle || (iteration > settle && iteration % every == 0) || iteration == iterations)
            {
                readings.Add((iteration, ResidentBytes()));
                progress?.Report(iteration);
            }
        });
        return new MemoryResult(iterations, readings[0].Item2, readings[^1].Item2, readings);
    }

    static double TimeTraining(RunConfig config, Segmentor model, ISegmentationDataset train, int seed, int warmup, int iterations, Action<int>? afterIteration)
    {
        var t = config.Train;
        var device = model.Device();
        model.train();
        using var optimiser = Optimiser.Create(t, [new ParameterGroup("all", model.parameters().ToList(), 1.0)]);
        using var batches = new BatchStream(train, t.BatchSize, seed, 0, warmup + iterations);
        var clock = new Stopwatch();
        for (int i = 0; i < warmup + iterations; i++)
        {
            if (i == warmup) clock.Start();
            using var scope = NewDisposeScope();
            Trainer.Step(model, optimiser, batches.Next(), device, t, LearningRate.At(Math.Min(i, t.Iterations - 1), t)).item<float>();
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
            afterIteration?.Invoke(i + 1);
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>VmRSS of this process in bytes (Linux), or the GC's view elsewhere.</summary>
    public static long ResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return Environment.WorkingSet;
    }
}
