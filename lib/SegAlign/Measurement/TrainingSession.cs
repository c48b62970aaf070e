using System.Diagnostics;
using SegAlign.Config;
using SegAlign.Data;
using SegAlign.Models;
using SegAlign.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SegAlign.Measurement;

/// <summary>Minimum, median and maximum over a bench's rounds: the spread shows how much the machine moved.</summary>
public sealed record Spread(double Min, double Median, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) throw new ArgumentException("a spread needs at least one value", nameof(values));
        int middle = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Spread(sorted[0], median, sorted[^1]);
    }

    public string Format(string number) =>
        $"{Median.ToString(number, System.Globalization.CultureInfo.InvariantCulture)} [{Min.ToString(number, System.Globalization.CultureInfo.InvariantCulture)}..{Max.ToString(number, System.Globalization.CultureInfo.InvariantCulture)}]";
}

/// <summary>
/// One model training on batches generated before the clock starts: exactly the trainer's step (host arrays → tensors,
/// forward, loss, backward, optimiser step, loss read back) without the data pipeline, whose cost is measured on its
/// own (<see cref="DataMsPerBatch"/>) so the bench reports both instead of mixing a generator thread into the timing.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    readonly RunConfig config;
    readonly Segmentor model;
    readonly Optimiser optimiser;
    readonly HostBatch[] batches;
    int iteration;

    /// <summary>Milliseconds the data pipeline needs to produce one batch (generation, decoding, collation) on one thread.</summary>
    public double DataMsPerBatch { get; }
    public int BatchSize => config.Train.BatchSize;

    /// <param name="distinctBatches">Batches generated up front and cycled (their content does not change the work).</param>
    public TrainingSession(RunConfig config, int seed = 0, int distinctBatches = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(distinctBatches, 2); // one pays the JIT, the rest are timed
        this.config = config;
        var train = DatasetRegistry.CreateTrain(config.Data, 0);
        // prefetch 1 keeps the producer one batch ahead at most, so the wall time per Next() is the generation time.
        // The clock starts after the first batch: it pays the generator's JIT, which made the first decoder's data
        // column read 3× slower than the rest's (207 against ≈ 600 img/s at 128 px).
        using (var stream = new BatchStream(train, config.Train.BatchSize, seed, 0, distinctBatches, prefetch: 1))
        {
            var first = stream.Next();
            var clock = Stopwatch.StartNew();
            batches = [first, .. Enumerable.Range(0, distinctBatches - 1).Select(_ => stream.Next())];
            DataMsPerBatch = clock.Elapsed.TotalMilliseconds / (distinctBatches - 1);
        }
        torch.manual_seed(seed);
        model = new Segmentor(config.Model, train.NumClasses);
        model.to(Platform.TorchRuntime.Device);
        model.train();
        optimiser = Optimiser.Create(config.Train, [new ParameterGroup("all", model.parameters().ToList(), 1.0)]);
    }

    /// <summary>Trains <paramref name="iterations"/> steps and returns their wall time in seconds.</summary>
    public double Train(int iterations)
    {
        var t = config.Train;
        var device = model.Device();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++, iteration++)
        {
            using var scope = NewDisposeScope();
            double lr = LearningRate.At(iteration % t.Iterations, t);
            Trainer.Step(model, optimiser, batches[iteration % batches.Length], device, t, lr).item<float>();
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
        }
        return clock.Elapsed.TotalSeconds;
    }

    public void Dispose()
    {
        optimiser.Dispose();
        model.Dispose();
    }
}
