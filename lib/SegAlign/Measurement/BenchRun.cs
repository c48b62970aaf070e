using System.Diagnostics;
using System.Globalization;
using SegAlign.Config;
using SegAlign.Models;
using SegAlign.Platform;
using SegAlign.Training;
using TorchSharp;

namespace SegAlign.Measurement;

/// <summary>How a bench measures: rounds × iterations after an untimed warm-up, in what processes, beside which peer.</summary>
/// <param name="WorkerCommand">Starts a bench worker process for a request file (the CLI's `bench-worker`); null: no sweep column.</param>
/// <param name="PeerTorch">torch version of the PyTorch replica to time beside SegAlign (fpn, sfnet); null: no peer column.</param>
public sealed record BenchPlan(int Rounds, int Iterations, int Warmup, int SweepProcesses, Func<string, ProcessStartInfo>? WorkerCommand, string? PeerTorch);

/// <summary>
/// Measures one decoder. Every round times, back to back: the matmul reference of this process, SegAlign training on
/// pre-generated batches with all threads, the PyTorch replica on the same work (before SegAlign on odd rounds, so
/// neither always runs second), then the reference and training of the sweep's worker processes (one libtorch thread
/// each, started once and warmed up). Each ratio is formed within its round; the row keeps min, median and max.
/// </summary>
public static class BenchRun
{
    public static BenchRow Measure(string decoder, RunConfig config, BenchPlan plan, Action<string>? log = null)
    {
        var validation = Data.DatasetRegistry.CreateValidation(config.Data);
        var sample = validation.Get(0);
        IReadOnlyDictionary<string, long> parameters;
        double gmacs;
        Timing latency;
        TorchSharp.torch.manual_seed(0);
        using (var model = new Segmentor(config.Model, validation.NumClasses))
        {
            model.to(TorchRuntime.Device);
            parameters = ModelStats.Parameters(model);
            gmacs = ModelStats.CountMacs(model, sample.Height, sample.Width, sample.Channels).GMacs;
            latency = Benchmarks.Latency(model, sample.Height, sample.Width);
        }
        int threads = TorchSharp.torch.get_num_threads();
        int batch = config.Train.BatchSize;
        double gflopsPerImage = gmacs * 2 * 3; // forward MACs × 2 FLOP/MAC × (forward + backward ≈ 3 forwards)

        using var session = new TrainingSession(config);
        session.Train(plan.Warmup);
        using var peer = StartPeer(decoder, config, validation.NumClasses, sample.Height, threads, plan, parameters["total"], log);
        var workers = StartWorkers(config, plan);
        try
        {
            var single = new List<(double Ips, double Reference)>();
            var sweep = new List<(double Ips, double Reference)>();
            var peerIps = new List<double>();
            string train = $"train {plan.Iterations}";
            for (int round = 0; round < plan.Rounds; round++)
            {
                double reference = Benchmarks.MatmulPeakGflops(BenchWorker.ReferenceSize, 5);
                bool peerFirst = round % 2 == 1;
                if (peer is not null && peerFirst) peerIps.Add(plan.Iterations * batch / peer.Ask(train));
                single.Add((plan.Iterations * batch / session.Train(plan.Iterations), reference));
                if (peer is not null && !peerFirst) peerIps.Add(plan.Iterations * batch / peer.Ask(train));
                if (workers.Count > 0)
                {
                    double sweepReference = ServedProcess.Broadcast(workers, "reference").Sum();
                    double ips = ServedProcess.Broadcast(workers, train).Sum(seconds => plan.Iterations * batch / seconds);
                    sweep.Add((ips, sweepReference));
                }
                log?.Invoke($"round {round + 1}/{plan.Rounds}: {single[^1].Ips:F0} img/s at {reference:F0} GFLOP/s" +
                            (peer is not null ? $", PyTorch {peerIps[^1]:F0} img/s" : "") + (workers.Count > 0 ? $", {workers.Count} processes {sweep[^1].Ips:F0} img/s" : ""));
            }
            SpeedFigures Figures(List<(double Ips, double Reference)> rounds, int processes, int perProcess) =>
                new(processes, perProcess, Spread.Of(rounds.Select(r => r.Ips)), Spread.Of(rounds.Select(r => r.Reference)),
                    Spread.Of(rounds.Select(r => r.Ips * gflopsPerImage / r.Reference)));
            var peerFigures = peer is null ? null
                : new PeerFigures(plan.PeerTorch!, Spread.Of(peerIps), Spread.Of(single.Zip(peerIps, (s, p) => s.Ips / p)));
            return new BenchRow(decoder, config.Hash(), sample.Height, parameters["total"], parameters["decoder"], gmacs, batch, latency,
                session.DataMsPerBatch, plan.Rounds, plan.Iterations, Figures(single, 1, threads),
                workers.Count > 0 ? Figures(sweep, workers.Count, 1) : null, peerFigures);
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    static ServedProcess? StartPeer(string decoder, RunConfig config, int classes, int size, int threads, BenchPlan plan, long segAlignParameters, Action<string>? log)
    {
        if (plan.PeerTorch is null) return null;
        if (!PeerReplica.Decoders.Contains(decoder))
        {
            log?.Invoke($"peer: no PyTorch replica of {decoder} (it has {string.Join(", ", PeerReplica.Decoders)}); its peer columns stay empty");
            return null;
        }
        var peer = PeerReplica.Start(decoder, config, classes, size, threads, plan.Warmup);
        long replicaParameters = peer.Ready.GetProperty("params").GetInt64();
        if (replicaParameters == segAlignParameters) return peer;
        peer.Dispose();
        log?.Invoke($"peer: the replica of {decoder} has {replicaParameters:N0} parameters, SegAlign's model {segAlignParameters:N0} " +
                    "(the replica builds the `full` preset's widths only); its peer columns stay empty");
        return null;
    }

    static List<ServedProcess> StartWorkers(RunConfig config, BenchPlan plan)
    {
        if (plan.WorkerCommand is null || plan.SweepProcesses < 2) return [];
        string folder = Directory.CreateTempSubdirectory("segalign-bench-").FullName;
        try
        {
            // All start from this thread at once (each builds, generates its batches and warms up), then are awaited.
            return ServedProcess.StartAll(Enumerable.Range(0, plan.SweepProcesses).Select(i =>
                (plan.WorkerCommand(new BenchWorkerRequest { Config = config, Threads = 1, Seed = i, Warmup = plan.Warmup }.SaveIn(folder)),
                 $"bench worker {i.ToString(CultureInfo.InvariantCulture)}")).ToList());
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
