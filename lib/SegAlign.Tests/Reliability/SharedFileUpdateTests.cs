using SegAlign.Experiments;
using SegAlign.Platform;

namespace SegAlign.Tests.Reliability;

/// <summary>
/// Issue 33 row 14's remainder: files several commands merge into (latency.csv, the bench tables) are read, merged and
/// written under a lock, so a second writer neither overwrites the first one's rows nor writes while it holds the file.
/// </summary>
public class SharedFileUpdateTests
{
    static ResultsStore Store(out string folder)
    {
        folder = Directory.CreateTempSubdirectory("segalign-shared-").FullName;
        return ResultsStore.ForPreset("smoke", folder);
    }

    [Fact]
    public void A_latency_update_keeps_rows_another_process_stored_after_this_one_read_the_cache()
    {
        var store = Store(out string folder);
        try
        {
            LatencyCache.Save(store, new Dictionary<string, LatencyEntry> { ["a"] = new(6.1, "x"), ["busy"] = new(56.1, "x") });
            // Another bench stores "b" while this one measures; this one then adds "c" and drops its busy reading.
            var other = LatencyCache.LoadEntries(store);
            other["b"] = new LatencyEntry(7.2, "y");
            LatencyCache.Save(store, other);

            var merged = LatencyCache.Update(store, new Dictionary<string, LatencyEntry> { ["c"] = new(8.3, "x") },
                new Dictionary<string, LatencyEntry> { ["busy"] = new(56.1, "x") });

            Assert.Equal(["a", "b", "c"], merged.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(merged, LatencyCache.LoadEntries(store));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void A_busy_reading_another_process_measured_again_meanwhile_is_kept()
    {
        var store = Store(out string folder);
        try
        {
            LatencyCache.Save(store, new Dictionary<string, LatencyEntry> { ["h"] = new(56.1, "x") });
            // This process judged h busy at 56.1; another re-measured it at 6.2 before this one merged.
            LatencyCache.Save(store, new Dictionary<string, LatencyEntry> { ["h"] = new(6.2, "y") });
            var merged = LatencyCache.Update(store, new Dictionary<string, LatencyEntry>(), new Dictionary<string, LatencyEntry> { ["h"] = new(56.1, "x") });
            Assert.Equal(new LatencyEntry(6.2, "y"), merged["h"]);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    static async Task<bool> Finishes(Task task, TimeSpan within) => await Task.WhenAny(task, Task.Delay(within)) == task;

    [Fact]
    public async Task A_latency_update_waits_while_another_process_holds_the_cache_and_says_so()
    {
        var store = Store(out string folder);
        try
        {
            Directory.CreateDirectory(store.Root);
            string lockPath = Path.Combine(store.Root, ".latency.csv.lock");
            var messages = new List<string>();
            Task update;
            using (var held = FileLock.TryAcquire(lockPath))
            {
                Assert.NotNull(held);
                update = Task.Run(() => LatencyCache.Update(store, new Dictionary<string, LatencyEntry> { ["c"] = new(8.3, "x") }, new Dictionary<string, LatencyEntry>(), m => { lock (messages) messages.Add(m); }));
                Assert.False(await Finishes(update, TimeSpan.FromMilliseconds(400)), "the update wrote while another process held latency.csv");
                Assert.False(File.Exists(LatencyCache.File(store)));
            }
            Assert.True(await Finishes(update, TimeSpan.FromSeconds(30)), "the update did not go on once the lock was free");
            Assert.Equal(["c"], LatencyCache.LoadEntries(store).Keys);
            Assert.Contains(messages, m => m.Contains("waiting for", StringComparison.Ordinal) && m.Contains("latency.csv", StringComparison.Ordinal));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
