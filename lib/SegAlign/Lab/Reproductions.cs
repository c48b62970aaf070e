using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SegAlign.Experiments;
using SegAlign.Platform;
using SegAlign.Training;

namespace SegAlign.Lab;

/// <summary>
/// The outcome of retraining a recorded run: where it was trained, the final training loss metrics.json recorded
/// and the one the retraining reached, the libtorch threads used, and how long it took (zero when the scratch folder
/// already held the finished retraining).
/// </summary>
public sealed record Reproduction(PlannedRun Run, string Folder, double RecordedFinalLoss, double FinalLoss, int Threads, TimeSpan Elapsed, bool Reused)
{
    /// <summary>The two losses are the same double, bit for bit.</summary>
    public bool Identical => BitConverter.DoubleToInt64Bits(RecordedFinalLoss) == BitConverter.DoubleToInt64Bits(FinalLoss);

    public string Describe() => Identical
        ? Invariant($"final loss {FinalLoss:R} = metrics.json's {RecordedFinalLoss:R}: bit-identical, so this is the model behind the recorded numbers.")
        : Invariant($"final loss {FinalLoss:R} ≠ metrics.json's {RecordedFinalLoss:R} (difference {FinalLoss - RecordedFinalLoss:E2}): NOT the recorded model — ") +
          "the code, libtorch, the processor or the thread count differ from the run's; pictures show a model trained the same way, not the same weights.";

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Retraining a run whose checkpoint is not there (checkpoints are not committed).</summary>
public static partial class Reproductions
{
    [GeneratedRegex(@"(\d+) threads?")]
    private static partial Regex ThreadCount();

    /// <summary>
    /// Trains <paramref name="run"/> again into <paramref name="folder"/> (continuing a partial retraining, reusing a
    /// finished one) with the thread count its recorded runtime names, and compares the final loss with
    /// <paramref name="recorded"/>'s. Says on <paramref name="log"/> what it does, how long it takes and whether the
    /// result is bit-identical.
    /// </summary>
    public static Reproduction Reproduce(PlannedRun run, RunMetrics recorded, string folder, TextWriter log)
    {
        int threads = ThreadCount().Match(recorded.Runtime) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 1;
        var scratch = new RunFolder(folder);
        bool reused = scratch.IsComplete;
        var clock = Stopwatch.StartNew();
        if (reused) log.WriteLine($"{run.Variant} seed {run.Seed}: the checkpoint is not in the results (checkpoints are not committed); using the retrained copy in {Study.Shown(folder)}");
        else
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Variant} seed {run.Seed}: the checkpoint is not in the results (checkpoints are not committed), so the run is retrained deterministically: " +
                $"same config ({run.Hash}), seed {run.Seed}, {run.Config.Train.Iterations} iterations, {threads} libtorch thread(s) as recorded, into {Study.Shown(folder)}. " +
                $"The recorded run trained for {recorded.TrainSeconds:F0} s."));
            var provenance = Provenance.Of(AppContext.BaseDirectory);
            if (recorded.Commit != "unknown" && provenance.Commit != "unknown" && recorded.Commit != provenance.Commit)
                log.WriteLine($"  note: the run was trained by commit {Short(recorded.Commit)}, this code is {Short(provenance.Commit)}; if training changed in between, the loss will differ.");
            Trainer.Run(run.Config, run.Seed, folder, new TrainOptions { Resume = true, Threads = threads });
        }
        var metrics = scratch.ReadMetrics();
        var reproduction = new Reproduction(run, scratch.Path, recorded.FinalLoss, metrics.FinalLoss, threads, reused ? TimeSpan.Zero : clock.Elapsed, reused);
        if (!reused) log.WriteLine($"  retrained in {reproduction.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s.");
        log.WriteLine($"  {reproduction.Describe()}");
        return reproduction;
    }

    static string Short(string commit) => commit.Length > 10 ? commit[..10] : commit;
}
