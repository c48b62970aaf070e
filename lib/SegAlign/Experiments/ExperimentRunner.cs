using SegAlign.Platform;
using System.Collections.Concurrent;
using System.Diagnostics;
using SegAlign.Training;

namespace SegAlign.Experiments;

/// <summary>Something that trains one planned run into its folder (in this process, or a child process).</summary>
public interface IRunExecutor
{
    /// <summary>Trains (or resumes) the run; throws with a readable message when it fails.</summary>
    void Execute(PlannedRun run, RunFolder folder, int threads, CancellationToken cancellation);
}

/// <summary>Trains in this process (one run at a time: libtorch's generator is process-global).</summary>
public sealed class InProcessExecutor : IRunExecutor
{
    static readonly object oneAtATime = new();

    public void Execute(PlannedRun run, RunFolder folder, int threads, CancellationToken cancellation)
    {
        lock (oneAtATime)
            Trainer.Run(run.Config, run.Seed, folder.Path, new TrainOptions { Resume = true, Threads = threads }, null, cancellation);
    }
}

/// <summary>
/// Trains each run in its own worker process, so several runs share the machine with one libtorch thread each —
/// on small CPU models that beats one run with all threads. The runner writes a <see cref="WorkerRequest"/> into
/// the run folder; <paramref name="workerCommand"/> starts a process that hands that file to
/// <see cref="WorkerRequest.Run"/>. The worker's output goes to the run folder's <see cref="RunFolder.WorkerLogFile"/>.
/// </summary>
public sealed class ChildProcessExecutor(Func<string, ProcessStartInfo> workerCommand) : IRunExecutor
{
    public void Execute(PlannedRun run, RunFolder folder, int threads, CancellationToken cancellation)
    {
        string request = new WorkerRequest { Config = run.Config, Seed = run.Seed, Threads = threads }.SaveIn(folder);
        var start = workerCommand(request);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Platform.ChildProcesses.Start(start);
        using var log = new StreamWriter(folder.WorkerLogFile, append: true);
        var tail = new ConcurrentQueue<string>();
        void Capture(string? line)
        {
            if (line is null) return;
            lock (log) log.WriteLine(line);
            tail.Enqueue(line);
            while (tail.Count > 20) tail.TryDequeue(out _);
        }
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellation.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
            process.WaitForExit();
        Platform.ChildProcesses.Exited(process);
        cancellation.ThrowIfCancellationRequested();
        string reason = string.Join(" | ", tail.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).DefaultIfEmpty(tail.LastOrDefault() ?? ""));
        if (process.ExitCode == 2) throw new RunInputException(reason);
        if (process.ExitCode != 0) throw new InvalidOperationException($"exit code {process.ExitCode}: {reason}");
    }
}

/// <summary>Progress of a sweep, one event per run state change.</summary>
public sealed record RunEvent(PlannedRun Run, string Status, RunMetrics? Metrics, string? Error, int Finished, int Total, TimeSpan Elapsed);

/// <summary>Outcome of a sweep. <see cref="BadInput"/>: every failure was bad input (a config or data file), not a crash.</summary>
public sealed record SweepResult(int Planned, int AlreadyDone, int Trained, IReadOnlyList<(PlannedRun Run, string Error)> Failures, bool BadInput = false);

/// <summary>A run that failed because of its input (its training process exited with code 2).</summary>
public sealed class RunInputException(string message) : Exception(message);

/// <summary>
/// Trains every planned run that is not complete yet, <c>jobs</c> at a time. Runs are deduplicated by key
/// (config hash + seed), each writes only its own folder (atomically), and an interrupted sweep continues
/// where it stopped: complete runs are skipped, partial ones resume from their checkpoint. Each run is trained
/// under its <see cref="RunLock"/>, so sweeps sharing a results folder never train the same run twice: a run another
/// live sweep owns is put back and taken up after the others — done by then, it is counted as done.
/// </summary>
public static class ExperimentRunner
{
    public static SweepResult Run(IReadOnlyList<PlannedRun> planned, ResultsStore store, IRunExecutor executor, int jobs, int threadsPerJob,
        IProgress<RunEvent>? progress = null, CancellationToken cancellation = default, IProgress<PretrainProgress>? pretrainProgress = null)
    {
        var unique = planned.GroupBy(r => r.Key).Select(g => g.First()).ToList();
        ExperimentPlan.CheckExisting(store, unique);
        var pending = unique.Where(r => !store.Folder(r).IsComplete).ToList();
        // Every dataset the pending runs read is checked once, up front: bad data stops the sweep before any training.
        foreach (var data in pending.Select(r => r.Config.Data).DistinctBy(d => Json.Canonical(System.Text.Json.JsonSerializer.SerializeToNode(d, Json.Options))))
            Data.DatasetPreflight.Check(data);
        PretrainedBackbones.Ensure(pending, PretrainStore.Default, pretrainProgress, cancellation);
        // Pre-registration: each experiment's claims are recorded before any of its runs trains here.
        if (pending.Count > 0)
        {
            string commit = Platform.Provenance.Of(AppContext.BaseDirectory).ToString();
            foreach (var name in planned.Select(r => r.Experiment).Distinct().Where(ExperimentDefinition.Available().Contains))
                ClaimRegistry.Register(store, ExperimentDefinition.Load(name), commit, DateTimeOffset.UtcNow);
        }
        int finished = 0, trained = 0, doneElsewhere = 0;
        var clock = Stopwatch.StartNew();
        var failures = new ConcurrentBag<(PlannedRun, string, bool BadInput)>();
        var queue = new ConcurrentQueue<PlannedRun>(pending);
        var owned = new ConcurrentQueue<PlannedRun>(); // runs another sweep was training when this one reached them
        // A lock the file system refuses (read-only, full) stops every worker and the sweep with that one error.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        InputException? lockRefused = null;
        void Train(PlannedRun run, RunLock held)
        {
            using var _ = held;
            var folder = store.Folder(run);
            if (folder.IsComplete)
            {
                Interlocked.Increment(ref doneElsewhere);
                progress?.Report(new RunEvent(run, "done elsewhere", folder.ReadMetrics(run.Hash, run.Seed), null, Interlocked.Increment(ref finished), pending.Count, clock.Elapsed));
                return;
            }
            progress?.Report(new RunEvent(run, "started", null, null, finished, pending.Count, clock.Elapsed));
            try
            {
                executor.Execute(run, folder, threadsPerJob, stop.Token);
                var metrics = folder.ReadMetrics(run.Hash, run.Seed);
                Interlocked.Increment(ref trained);
                progress?.Report(new RunEvent(run, "done", metrics, null, Interlocked.Increment(ref finished), pending.Count, clock.Elapsed));
            }
            catch (OperationCanceledException) { throw; }
            catch (Exception e) when (e is InputException or RunInputException or InvalidOperationException or IOException)
            {
                failures.Add((run, e.Message, e is InputException or RunInputException));
                RemoveIfNothingToResume(folder);
                progress?.Report(new RunEvent(run, "failed", null, e.Message, Interlocked.Increment(ref finished), pending.Count, clock.Elapsed));
            }
        }
        void Worker()
        {
            try
            {
                while (!stop.IsCancellationRequested && queue.TryDequeue(out var run))
                {
                    if (RunLock.TryAcquire(store, run) is { } held) Train(run, held);
                    else owned.Enqueue(run);
                }
                while (!stop.IsCancellationRequested && owned.TryDequeue(out var run))
                {
                    var held = RunLock.TryAcquire(store, run);
                    if (held is null)
                    {
                        progress?.Report(new RunEvent(run, "waiting", null, $"another process holds its lock {SafePaths.Shown(RunLock.PathOf(store, run))}",
                            finished, pending.Count, clock.Elapsed));
                        held = RunLock.Acquire(store, run, stop.Token);
                    }
                    if (held is not null) Train(run, held);
                }
            }
            catch (OperationCanceledException) { }
            catch (InputException e)
            {
                Interlocked.CompareExchange(ref lockRefused, e, null);
                stop.Cancel();
            }
        }
        var workers = Enumerable.Range(0, Math.Max(1, Math.Min(jobs, Math.Max(1, pending.Count)))).Select(_ => new Thread(Worker) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        if (lockRefused is not null) throw lockRefused;
        cancellation.ThrowIfCancellationRequested();
        var failed = failures.ToList();
        return new SweepResult(unique.Count, unique.Count - pending.Count + doneElsewhere, trained, failed.Select(f => (f.Item1, f.Item2)).ToList(),
            failed.Count > 0 && failed.All(f => f.BadInput));
    }

    /// <summary>A failed run's folder with no checkpoint and no metrics holds nothing to resume (only config or request
    /// files): it goes, so the results hold no half-made runs; the reason is in the sweep's failure list.</summary>
    static void RemoveIfNothingToResume(RunFolder folder)
    {
        if (folder.IsComplete || folder.HasCheckpoint || !Directory.Exists(folder.Path)) return;
        try { Directory.Delete(folder.Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The finished runs among those planned, as table rows (latency from the store's cache when measured).</summary>
    public static List<RunRow> Rows(IEnumerable<PlannedRun> planned, ResultsStore store, IReadOnlyDictionary<string, double>? latencyByHash = null) =>
        planned.Where(r => store.Folder(r).IsComplete)
            .Select(r => new RunRow(r, store.Folder(r).ReadMetrics(r.Hash, r.Seed), latencyByHash is not null && latencyByHash.TryGetValue(r.Hash, out var l) ? l : null,
                store.Folder(r).ReadPerImage(), store.Folder(r).ReadPerImageAlignment()))
            .ToList();
}
