using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TorchSharp;

namespace SegAlign.Experiments;

/// <summary>One stored latency and the runtime it was measured with (device, CPU, libtorch threads, versions).</summary>
public readonly record struct LatencyEntry(double Ms, string Environment);

/// <summary>
/// Measured inference latency per config hash for this machine (results/&lt;preset&gt;/latency.csv), filled by `segalign bench`.
/// Each row keeps the environment it was measured in, so rows added later with other threads stay told apart.
/// </summary>
public static class LatencyCache
{
    public static string File(ResultsStore store) => Path.Combine(store.Root, "latency.csv");

    public static Dictionary<string, double> Load(ResultsStore store) => Milliseconds(LoadEntries(store));

    static Dictionary<string, double> Milliseconds(IReadOnlyDictionary<string, LatencyEntry> entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value.Ms);

    public static Dictionary<string, LatencyEntry> LoadEntries(ResultsStore store)
    {
        var result = new Dictionary<string, LatencyEntry>();
        string path = File(store);
        if (!System.IO.File.Exists(path)) return result;
        foreach (var line in System.IO.File.ReadLines(path).Skip(1))
        {
            // config_hash,latency_ms,"environment" — the environment is the rest of the line and may hold commas.
            var parts = line.Split(',', 3);
            if (parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
                result[parts[0]] = new LatencyEntry(ms, parts.Length == 3 ? parts[2].Trim().Trim('"') : "");
        }
        return result;
    }

    /// <summary>
    /// The configs to measure: those without a latency, or — with <paramref name="remeasure"/> — every planned one
    /// (e.g. on an idle machine after a sweep whose workers measured while training beside each other).
    /// </summary>
    public static IReadOnlyList<PlannedRun> ToMeasure(IReadOnlyDictionary<string, LatencyEntry> stored, IEnumerable<PlannedRun> planned, bool remeasure) =>
        planned.GroupBy(r => r.Hash).Select(g => g.First()).Where(r => remeasure || !stored.ContainsKey(r.Hash)).ToList();

    /// <summary>The distinct environments of the stored latencies, when there is more than one (they do not compare).</summary>
    public static IReadOnlyList<string> MixedEnvironments(IReadOnlyDictionary<string, LatencyEntry> stored)
    {
        var environments = stored.Values.Select(e => e.Environment).Distinct().Order(StringComparer.Ordinal).ToList();
        return environments.Count > 1 ? environments : [];
    }

    /// <summary>
    /// Measures inference latency (median of repeated batch-1 forward passes at the validation size, with this
    /// process's libtorch threads) for every planned config that has none yet (every one with <paramref name="remeasure"/>),
    /// and saves the cache; warns when its rows then come from more than one environment.
    /// </summary>
    public static void Measure(ResultsStore store, IEnumerable<PlannedRun> planned, Action<string>? log = null, bool remeasure = false)
    {
        var stored = LoadEntries(store);
        // What this call changes, merged into the file as it is at the end (another bench may have added rows meanwhile).
        var dropped = new Dictionary<string, LatencyEntry>();
        var added = new Dictionary<string, LatencyEntry>();
        planned = planned.ToList();
        var siblings = SiblingGroups(planned);
        foreach (var hash in Implausible(Milliseconds(stored)).Union(ImplausibleAmongSiblings(Milliseconds(stored), siblings)))
        {
            log?.Invoke($"latency.csv: {stored[hash].Ms:F1} ms for config {hash} is far above the others (a reading from a busy machine); measuring it again");
            dropped[hash] = stored[hash];
            stored.Remove(hash);
        }
        var missing = ToMeasure(stored, planned, remeasure);
        if (missing.Count == 0)
        {
            if (dropped.Count > 0) Update(store, added, dropped, log);
            return;
        }
        string environment = Platform.TorchRuntime.Describe().ToString();
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
            // A reading that did not settle, or that sits far above its sibling variants', came from a busy machine: it is
            // reported as unsettled and not stored, so the next sweep or bench measures it again instead of keeping it.
            var fresh = models.ToDictionary(m => m.Run.Hash, m => best[m.Run.Hash].MedianMs);
            var candidate = Milliseconds(stored);
            foreach (var (hash, ms) in fresh) candidate[hash] = ms;
            var outliers = ImplausibleAmongSiblings(candidate, siblings).ToHashSet();
            foreach (var (run, _, _) in models)
            {
                bool settled = Settled(readings[run.Hash]) is not null && !outliers.Contains(run.Hash);
                if (!settled)
                {
                    log?.Invoke($"warning: latency of {run.Experiment}/{run.Variant} is unsettled ({string.Join(", ", readings[run.Hash].Select(r => $"{r:F1}"))} ms" +
                                $"{(outliers.Contains(run.Hash) ? $", over {SiblingOutlierFactor}× its sibling variants'" : "")}): the machine is busy; not stored — " +
                                $"measure it again on an idle machine: segalign bench --latency-for {run.Experiment} --preset <preset>");
                    continue;
                }
                stored[run.Hash] = added[run.Hash] = new LatencyEntry(best[run.Hash].MedianMs, environment);
                log?.Invoke($"latency of {run.Experiment}/{run.Variant} ({torch.get_num_threads()} libtorch thread(s)): {best[run.Hash]}");
            }
        }
        finally
        {
            foreach (var (_, model, _) in models) model.Dispose();
        }
        stored = Update(store, added, dropped, log);
        if (MixedEnvironments(stored) is { Count: > 0 } mixed)
            log?.Invoke($"warning: {File(store)} now holds latencies from {mixed.Count} environments ({string.Join(" | ", mixed)}); " +
                        "they do not compare — measure them all again in one: segalign bench --latency-for all --remeasure --preset <preset> --threads <n>");
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

    /// <summary>
    /// Variants of one experiment share backbone and input size, so their latencies differ little (committed: ≤ 3.7× the
    /// median of the others): a reading over this factor × its siblings' median is a busy machine's (fam-p2: 56 vs 6–7 ms).
    /// </summary>
    public const double SiblingOutlierFactor = 5;

    /// <summary>The config hashes of each experiment's variants among <paramref name="planned"/>.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> SiblingGroups(IEnumerable<PlannedRun> planned) =>
        planned.GroupBy(r => r.Experiment).Select(g => (IReadOnlyList<string>)g.Select(r => r.Hash).Distinct().ToList()).ToList();

    /// <summary>Latencies over <see cref="SiblingOutlierFactor"/> × the median of their sibling variants' (judged with at least two siblings measured).</summary>
    public static IReadOnlyList<string> ImplausibleAmongSiblings(IReadOnlyDictionary<string, double> latencyByHash, IEnumerable<IReadOnlyList<string>> groups)
    {
        var result = new List<string>();
        foreach (var group in groups)
        {
            var measured = group.Where(latencyByHash.ContainsKey).ToList();
            foreach (var hash in measured)
            {
                var others = measured.Where(h => h != hash).Select(h => latencyByHash[h]).Order().ToList();
                if (others.Count < 2) continue;
                double median = others.Count % 2 == 1 ? others[others.Count / 2] : (others[others.Count / 2 - 1] + others[others.Count / 2]) / 2;
                if (latencyByHash[hash] > SiblingOutlierFactor * median && !result.Contains(hash)) result.Add(hash);
            }
        }
        return result;
    }

    /// <summary>Agreement within this factor makes two readings one latency (a disturbed reading is several times slower).</summary>
    public const double Agreement = 1.25;

    /// <summary>The latency a model's readings settle on — the best, once the two best agree within <see cref="Agreement"/> — or null: measure again.</summary>
    public static double? Settled(IReadOnlyList<double> readings)
    {
        if (readings.Count < 2) return null;
        var sorted = readings.Order().ToList();
        return sorted[1] <= sorted[0] * Agreement ? sorted[0] : null;
    }

    /// <summary>
    /// Merges measurements into latency.csv under its lock: rows another process stored since this one read the file are
    /// kept; <paramref name="dropped"/> (readings judged busy, with the value judged) are removed only while the file still
    /// holds that value — another process may have measured them again meanwhile. Returns the merged cache.
    /// </summary>
    public static Dictionary<string, LatencyEntry> Update(ResultsStore store, IReadOnlyDictionary<string, LatencyEntry> added,
        IReadOnlyDictionary<string, LatencyEntry> dropped, Action<string>? log = null) =>
        Platform.FileLock.Exclusive(File(store), () =>
        {
            var current = LoadEntries(store);
            foreach (var (hash, judged) in dropped)
                if (current.TryGetValue(hash, out var now) && now == judged) current.Remove(hash);
            foreach (var (hash, entry) in added) current[hash] = entry;
            Save(store, current);
            return current;
        }, log);

    public static void Save(ResultsStore store, IReadOnlyDictionary<string, LatencyEntry> latencyByHash)
    {
        var text = new StringBuilder("config_hash,latency_ms,environment\n");
        foreach (var (hash, entry) in latencyByHash.OrderBy(p => p.Key, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"{hash},{entry.Ms:R},\"{entry.Environment.Replace("\"", "'")}\"\n");
        AtomicFile.WriteAllText(File(store), text.ToString());
    }
}
