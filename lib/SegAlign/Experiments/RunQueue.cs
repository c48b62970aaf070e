namespace SegAlign.Experiments;

/// <summary>
/// The order in which a sweep's workers take its pending runs. A sweep ends when its last run does, so a long run
/// started last keeps one worker busy while the others idle. Longest first fixes that when costs are known; here they
/// become known as the sweep goes: the first run of each config (in plan order) measures it, and the config's other
/// seeds — which cost the same — are then taken longest first, so a sweep ends on its cheapest runs. Runs already
/// finished in the store (another seed of a pending config) count as measured. Thread-safe.
/// </summary>
public sealed class RunQueue
{
    readonly List<PlannedRun> remaining;
    readonly Dictionary<string, double> secondsByHash;
    readonly HashSet<string> started = [];
    readonly Lock gate = new();

    /// <param name="pending">The runs to train, in plan order.</param>
    /// <param name="measured">Training seconds of finished runs, by config hash (any seed).</param>
    public RunQueue(IEnumerable<PlannedRun> pending, IReadOnlyDictionary<string, double> measured)
    {
        remaining = pending.ToList();
        secondsByHash = new Dictionary<string, double>(measured);
    }

    public bool TryTake(out PlannedRun run)
    {
        lock (gate)
        {
            run = null!;
            if (remaining.Count == 0) return false;
            // 1. A config nobody has measured or started: its time tells how to order its other seeds.
            int pick = remaining.FindIndex(r => !secondsByHash.ContainsKey(r.Hash) && !started.Contains(r.Hash));
            // 2. The longest measured config (ties in plan order).
            if (pick < 0)
                for (int i = 0; i < remaining.Count; i++)
                    if (secondsByHash.TryGetValue(remaining[i].Hash, out var seconds) && (pick < 0 || seconds > secondsByHash[remaining[pick].Hash]))
                        pick = i;
            // 3. Otherwise a seed of a config whose first run is still training, in plan order.
            if (pick < 0) pick = 0;
            run = remaining[pick];
            remaining.RemoveAt(pick);
            started.Add(run.Hash);
            return true;
        }
    }

    /// <summary>Records how long a run of the config trained, for ordering its other seeds.</summary>
    public void Measured(PlannedRun run, double trainSeconds)
    {
        lock (gate) secondsByHash.TryAdd(run.Hash, trainSeconds);
    }
}
