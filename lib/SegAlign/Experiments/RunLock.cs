namespace SegAlign.Experiments;

/// <summary>
/// Ownership of one run by one sweep: an exclusive lock on results/&lt;preset&gt;/locks/&lt;key&gt;.lock. .NET takes
/// FileShare.None as an advisory flock on Unix, which the kernel drops when the owner dies, so a lock left by a killed
/// sweep is free for the next one — no stale-lock bookkeeping. The lock file itself stays (deleting a locked file races).
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

    public static RunLock? TryAcquireAt(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var owner = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n");
            stream.Write(owner);
            stream.Flush();
            return new RunLock(stream);
        }
        catch (IOException)
        {
            return null;
        }
    }

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
