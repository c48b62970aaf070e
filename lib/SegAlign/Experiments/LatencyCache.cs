using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TorchSharp;

namespace SegAlign.Experiments;

/// <summary>Measured inference latency per config hash for this machine (results/&lt;preset&gt;/latency.csv), filled by `segalign bench`.</summary>
public static class LatencyCache
{
    public static string File(ResultsStore store) => Path.Combine(store.Root, "latency.csv");

    public static Dictionary<string, double> Load(ResultsStore store)
    {
        var result = new Dictionary<string, double>();
        string path = File(store);
        if (!System.IO.File.Exists(path)) return result;
        foreach (var line in System.IO.File.ReadLines(path).Skip(1))
        {
            var parts = line.Split(',');
            if (parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)) result[parts[0]] = ms;
        }
        return result;
    }

    /// <summary>
    /// Measures inference latency (median of repeated batch-1 forward passes at the validation size, with this
    /// process's libtorch threads) for every planned config that has none yet, and saves the cache.
    /// </summary>
    public static void MeasureMissing(ResultsStore store, IEnumerable<PlannedRun> planned, Action<string>? log = null)
    {
        var latency = Load(store);
        foreach (var hash in Implausible(latency))
        {
            log?.Invoke($"latency.csv: {latency[hash]:F1} ms for config {hash} is far above the others (a reading from a busy machine); measuring it again");
            latency.Remove(hash);
        }
        var missing = planned.GroupBy(r => r.Hash).Select(g => g.First()).Where(r => !latency.ContainsKey(r.Hash)).ToList();
        if (missing.Count == 0) return;
        var models = missing.Select(run =>
        {
            var validation = Data.DatasetRegistry.CreateValidation(run.Config.Data);
            var model = new Models.Segmentor(run.Config.Model, validation.NumClasses);
            model.to(Platform.TorchRuntime.Device);
            return (Run: run, Model: model, Sample: validation.Get(0));
        }).ToList();
        try
        {
            // Rounds over all models, keeping each one's best median: the first model timed in a fresh process otherwise
            // pays the process's own warm-up (thread pool, kernel caches) and looks slower than it is. A reading taken
            // while the machine was busy is no latency: rounds continue until each model's two best readings agree.
            var best = new Dictionary<string, Measurement.Timing>();
            var readings = models.ToDictionary(m => m.Run.Hash, _ => new List<double>());
            for (int round = 0; round < MaxRounds && models.Any(m => Settled(readings[m.Run.Hash]) is null); round++)
                foreach (var (run, model, sample) in models)
                {
                    if (round >= 2 && Settled(readings[run.Hash]) is not null) continue;
                    var timing = Measurement.Benchmarks.Latency(model, sample.Height, sample.Width);
                    readings[run.Hash].Add(timing.MedianMs);
                    if (!best.TryGetValue(run.Hash, out var previous) || timing.MedianMs < previous.MedianMs) best[run.Hash] = timing;
                }
            foreach (var (run, _, _) in models)
                if (Settled(readings[run.Hash]) is null)
                    log?.Invoke($"warning: latency of {run.Experiment}/{run.Variant} did not settle ({string.Join(", ", readings[run.Hash].Select(r => $"{r:F1}"))} ms): the machine is busy; keeping the best");
            foreach (var (run, _, _) in models)
            {
                latency[run.Hash] = best[run.Hash].MedianMs;
                log?.Invoke($"latency of {run.Experiment}/{run.Variant} ({torch.get_num_threads()} libtorch thread(s)): {best[run.Hash]}");
            }
        }
        finally
        {
            foreach (var (_, model, _) in models) model.Dispose();
        }
        Save(store, latency, Platform.TorchRuntime.Describe().ToString());
    }

    const int MaxRounds = 6;

    /// <summary>
    /// Cached latencies more than <see cref="OutlierFactor"/> × the median of all cached ones: the decoders' costs differ by a few
    /// times at most, so such a reading was taken while the machine was busy (needs at least three readings to judge).
    /// </summary>
    public static IReadOnlyList<string> Implausible(IReadOnlyDictionary<string, double> latencyByHash)
    {
        if (latencyByHash.Count < 3) return [];
        var sorted = latencyByHash.Values.Order().ToList();
        double median = sorted[sorted.Count / 2];
        return latencyByHash.Where(l => l.Value > OutlierFactor * median).Select(l => l.Key).ToList();
    }

    public const double OutlierFactor = 10;

    /// <summary>Agreement within this factor makes two readings one latency (a disturbed reading is several times slower).</summary>
    public const double Agreement = 1.25;

    /// <summary>The latency a model's readings settle on — the best, once the two best agree within <see cref="Agreement"/> — or null: measure again.</summary>
    public static double? Settled(IReadOnlyList<double> readings)
    {
        if (readings.Count < 2) return null;
        var sorted = readings.Order().ToList();
        return sorted[1] <= sorted[0] * Agreement ? sorted[0] : null;
    }

    public static void Save(ResultsStore store, IReadOnlyDictionary<string, double> latencyByHash, string environment)
    {
        var text = new StringBuilder("config_hash,latency_ms,environment\n");
        foreach (var (hash, ms) in latencyByHash.OrderBy(p => p.Key))
            text.Append(CultureInfo.InvariantCulture, $"{hash},{ms:R},\"{environment.Replace("\"", "'")}\"\n");
        AtomicFile.WriteAllText(File(store), text.ToString());
    }
}
