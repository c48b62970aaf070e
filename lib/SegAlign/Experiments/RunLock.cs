using SegAlign.Platform;

namespace SegAlign.Experiments;

/// <summary>
/// Ownership of one run by one sweep: an exclusive <see cref="Platform.FileLock"/> on results/&lt;preset&gt;/locks/&lt;key&gt;.lock,
/// released by the kernel when its owner dies.
/// </summary>
public sealed class RunLock : IDisposable
{
    readonly FileStream stream;

    RunLock(FileStream stream) => this.stream = stream;

    public static string PathOf(ResultsStore store, PlannedRun run) => SafePaths.Under(store.Root, "locks", run.Key + ".lock");

    /// <summary>The lock, or null when another live process (or another sweep in this one) holds it.</summary>
    public static RunLock? TryAcquire(ResultsStore store, PlannedRun run) => TryAcquireAt(PathOf(store, run));

    /// <summary>
    /// For a run trained outside a sweep (`train --out results/&lt;preset&gt;/runs/&lt;key&gt;`, as a Slurm task does): the
    /// same lock a sweep takes for that run, so the two never train it at once. Null path when the folder is not a
    /// run folder of a results store (a scratch run): nothing to share, no lock.
    /// </summary>
    public static string? PathForRunFolder(string runFolder)
    {
        string full = Path.GetFullPath(runFolder).TrimEnd(Path.DirectorySeparatorChar);
        string? runs = Path.GetDirectoryName(full);
        if (runs is null || Path.GetFileName(runs) != "runs" || Path.GetDirectoryName(runs) is not { } root) return null;
        return Path.Combine(root, "locks", Path.GetFileName(full) + ".lock");
    }

    /// <summary>
    /// The lock for any folder `train --out` writes: a store's run folder shares the sweep's lock; any other folder is
    /// locked by a hidden file beside it (inside, it would make a fresh folder look non-empty), so two trainers never
    /// mix their files in one folder.
    /// </summary>
    public static string PathForOutputFolder(string folder)
    {
        if (PathForRunFolder(folder) is { } shared) return shared;
        string full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || Path.GetFileName(full).Length == 0)
            throw new InputException(folder, "is not a folder a run can be written to", "pass --out a folder below the file system's root");
        return Path.Combine(parent, "." + Path.GetFileName(full) + ".lock");
    }

    public static RunLock? TryAcquireAt(string path) => Platform.FileLock.TryAcquire(path) is { } stream ? new RunLock(stream) : null;

    /// <summary>Waits (polling) until the lock is free; null when cancelled.</summary>
    public static RunLock? Acquire(ResultsStore store, PlannedRun run, CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            if (TryAcquire(store, run) is { } acquired) return acquired;
            cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(250));
        }
        return null;
    }

    public void Dispose() => stream.Dispose();
}
