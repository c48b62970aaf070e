using System.Collections.Concurrent;
using SegAlign.Data;

namespace SegAlign.Training;

/// <summary>
/// Produces the training batches of iterations [start, end) on a background thread, a few ahead of the
/// trainer, so scene generation and decoding never sit on the training thread. Batch t is a pure
/// function of (dataset, seed, t): resuming at iteration k yields exactly the batches an uninterrupted
/// run would have seen from k on.
/// </summary>
public sealed class BatchStream : IDisposable
{
    readonly ISegmentationDataset dataset;
    readonly int batchSize, seed;
    readonly BlockingCollection<HostBatch> queue;
    readonly CancellationTokenSource stop = new();
    readonly Thread worker;
    Exception? failure;

    public BatchStream(ISegmentationDataset dataset, int batchSize, int seed, int startIteration, int endIteration, int prefetch = 3)
    {
        this.dataset = dataset; this.batchSize = batchSize; this.seed = seed;
        queue = new BlockingCollection<HostBatch>(Math.Max(1, prefetch));
        worker = new Thread(() => Produce(startIteration, endIteration)) { IsBackground = true, Name = "segalign-batches" };
        worker.Start();
    }

    /// <summary>The next batch in order; rethrows a producer failure (e.g. a corrupt file) on the caller's thread.</summary>
    public HostBatch Next(CancellationToken cancellation = default)
    {
        try
        {
            return queue.Take(cancellation);
        }
        catch (InvalidOperationException) when (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            throw;
        }
    }

    /// <summary>Index into the dataset of slot <paramref name="slot"/> of iteration <paramref name="iteration"/>.</summary>
    public static int SampleIndex(ISegmentationDataset dataset, int seed, int batchSize, int iteration, int slot)
    {
        long position = (long)iteration * batchSize + slot;
        if (dataset.Count == int.MaxValue) return (int)(position % int.MaxValue); // unbounded stream: scene i once
        // Finite split: a fresh seeded permutation each epoch. The index carries the epoch (epoch·Count + i)
        // so an augmenting wrapper draws a new crop/flip for the same image in every epoch.
        int epoch = (int)(position / dataset.Count), offset = (int)(position % dataset.Count);
        return checked(epoch * dataset.Count + EpochPermutation(dataset.Count, seed, epoch, offset));
    }

    // The offset-th element of a seeded permutation of [0, n): a Fisher–Yates shuffle per epoch, cached.
    static readonly ConcurrentDictionary<(int N, int Seed, int Epoch), int[]> permutations = new();

    static int EpochPermutation(int n, int seed, int epoch, int offset)
    {
        var permutation = permutations.GetOrAdd((n, seed, epoch), key =>
        {
            if (permutations.Count > 8) permutations.Clear();
            var order = Enumerable.Range(0, key.N).ToArray();
            var rng = Rng.For((ulong)key.Seed, Rng.Hash("epoch-shuffle"), (ulong)key.Epoch);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            return order;
        });
        return permutation[offset];
    }

    void Produce(int start, int end)
    {
        try
        {
            for (int t = start; t < end && !stop.IsCancellationRequested; t++)
                queue.Add(Build(t), stop.Token);
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            queue.CompleteAdding();
        }
    }

    HostBatch Build(int iteration)
    {
        var samples = new Sample[batchSize];
        for (int b = 0; b < batchSize; b++) samples[b] = dataset.Get(SampleIndex(dataset, seed, batchSize, iteration, b));
        return HostBatch.Collate(iteration, samples, dataset.Normalisation);
    }

    public void Dispose()
    {
        stop.Cancel();
        // Drain so a producer blocked on a full queue can observe the cancellation.
        while (queue.TryTake(out _)) { }
        worker.Join();
        queue.Dispose();
        stop.Dispose();
    }
}
