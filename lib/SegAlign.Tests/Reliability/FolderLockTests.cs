using System.Collections.Concurrent;
using SegAlign.Experiments;
using SegAlign.Platform;
using SegAlign.Training;
using static SegAlign.Tests.Reliability.CliRunner;

namespace SegAlign.Tests.Reliability;

/// <summary>
/// Issue 33 rows 2, 3 and 14: every folder `train` writes is locked, a waiting sweep says what it waits for and does
/// not count another's run as its own, and a file system that refuses a lock is an error, never an endless wait.
/// </summary>
public class FolderLockTests
{
    [Fact]
    public void A_second_train_into_the_same_scratch_folder_is_refused_and_names_the_lock()
    {
        string folder = Path.Combine(Directory.CreateTempSubdirectory("segalign-out-").FullName, "my run");
        string lockPath = RunLock.PathForOutputFolder(folder);
        Assert.Equal(Path.GetDirectoryName(folder), Path.GetDirectoryName(lockPath));   // beside, so a fresh folder stays empty
        using (RunLock.TryAcquireAt(lockPath))   // the first `train --resume --out DIR`
        {
            var second = Run("train", "--preset", "smoke", "--out", folder, "--resume", "--threads", "1", "--set", "train.iterations=1");
            AssertBadInput(second, "being trained by another process", ".my run.lock");
            Assert.False(Directory.Exists(folder));
        }
    }

    [Fact]
    public void A_full_device_is_an_error_not_a_lock_held_by_another()
    {
        Assert.True(File.Exists("/dev/full"), "this test needs Linux's /dev/full");
        var error = Assert.Throws<InputException>(() => FileLock.TryAcquire("/dev/full"));
        Assert.Contains("/dev/full", error.Message);
        Assert.Contains("file system refuses", error.Message);
    }

    [Fact]
    public void A_folder_no_file_can_be_created_in_is_an_error_not_a_lock_held_by_another()
    {
        Assert.True(Directory.Exists("/sys/kernel"), "this test needs Linux's sysfs");
        var error = Assert.Throws<InputException>(() => FileLock.TryAcquire("/sys/kernel/segalign.lock"));
        Assert.Contains("cannot be locked", error.Message);
    }

    [Fact]
    public void Only_the_lock_conflict_reads_as_held_read_only_and_full_do_not()
    {
        Assert.True(OperatingSystem.IsLinux(), "the errno numbers below are Linux's");
        Assert.True(FileLock.IsHeldByAnother(new IOException("locked", 11)));          // EWOULDBLOCK
        Assert.False(FileLock.IsHeldByAnother(new IOException("read-only", 30)));      // EROFS
        Assert.False(FileLock.IsHeldByAnother(new IOException("no space", 28)));       // ENOSPC
        Assert.False(FileLock.IsHeldByAnother(new IOException("quota", 122)));         // EDQUOT

        string path = Path.Combine(Directory.CreateTempSubdirectory("segalign-lock-").FullName, "a.lock");
        using var first = FileLock.TryAcquire(path);
        Assert.NotNull(first);
        Assert.Null(FileLock.TryAcquire(path));
    }

    [Fact]
    public void A_sweep_whose_locks_the_file_system_refuses_stops_with_one_error_instead_of_waiting()
    {
        Assert.True(File.Exists("/dev/full"), "this test needs Linux's /dev/full");
        string root = Directory.CreateTempSubdirectory("segalign-results-").FullName;
        var store = new ResultsStore(root);
        var runs = ExperimentPlan.Resolve(ExperimentDefinition.Load("sfnet"), "smoke", ConfigOverrides.Parse(["train.iterations=1"]), seeds: [0], variants: ["bilinear"]);
        // The run's lock file is a full device: every write to it fails with ENOSPC, as on a full disk.
        Directory.CreateDirectory(Path.Combine(root, "locks"));
        File.CreateSymbolicLink(RunLock.PathOf(store, runs[0]), "/dev/full");
        Exception? outcome = null;
        var sweep = new Thread(() => outcome = Record.Exception(() => ExperimentRunner.Run(runs, store, new InProcessExecutor(), 1, 1))) { IsBackground = true };
        sweep.Start();
        Assert.True(sweep.Join(TimeSpan.FromSeconds(60)), "the sweep waited for a lock the file system refuses");
        Assert.Contains("cannot be locked", Assert.IsType<InputException>(outcome).Message);
        Assert.False(store.Folder(runs[0]).IsComplete);
    }

    [Fact]
    public void A_sweep_that_waits_says_for_what_and_does_not_count_the_other_process_run_as_trained()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("segalign-results-").FullName);
        var runs = ExperimentPlan.Resolve(ExperimentDefinition.Load("sfnet"), "smoke", ConfigOverrides.Parse(["train.iterations=1"]), seeds: [0], variants: ["bilinear"]);
        var held = RunLock.TryAcquire(store, runs[0])!;
        var events = new ConcurrentQueue<RunEvent>();
        var owner = new Thread(() =>
        {
            Thread.Sleep(500); // long enough for the sweep to reach the run and wait
            new InProcessExecutor().Execute(runs[0], store.Folder(runs[0]), 1, default);
            held.Dispose();
        });
        owner.Start();
        ExperimentRunner.Run(runs, store, new InProcessExecutor(), 1, 1, new ImmediateProgress<RunEvent>(events.Enqueue));
        owner.Join();
        var waiting = Assert.Single(events, e => e.Status == "waiting");
        Assert.Contains(".lock", waiting.Error);
        Assert.Single(events, e => e.Status == "done elsewhere");
        Assert.DoesNotContain(events, e => e.Status == "done");
    }
}
