using SegAlign.Training;

namespace SegAlign.Experiments;

/// <summary>
/// The pretraining a sweep's runs need, done once before they train (cached by recipe hash, so usually nothing).
/// Runs in this process, on the recipe's pinned thread count (else every core): the runs that load the backbone cannot
/// start before it exists.
/// </summary>
public static class PretrainedBackbones
{
    public static void Ensure(IEnumerable<PlannedRun> runs, PretrainStore store, IProgress<PretrainProgress>? progress, CancellationToken cancellation)
    {
        var references = runs.Select(r => r.Config.Model.BackboneWeights).Where(PretrainRecipes.IsReference).Distinct().ToList();
        foreach (var reference in references)
        {
            var (name, hash) = PretrainRecipes.Parse(reference!);
            if (store.Folder(name, hash).IsComplete) continue;
            var recipe = PretrainRecipes.Load(name);
            if (PretrainRecipes.Hash(recipe) != hash) store.WeightsFile(reference!); // throws: the pinned recipe is gone
            // threads: 0 = the recipe's pinned count, not the sweep's: the prior must be the same on every machine.
            Pretrainer.Run(recipe, store, threads: 0, progress: progress, cancellation: cancellation);
        }
    }
}
