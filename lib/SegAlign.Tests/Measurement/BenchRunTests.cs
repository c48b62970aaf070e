using System.Diagnostics;
using SegAlign.Experiments;
using SegAlign.Measurement;

namespace SegAlign.Tests.Measurement;

/// <summary>
/// The bench's mechanics: helper processes driven line by line, the sweep column trained by real worker processes with
/// one libtorch thread each. No timing is asserted here (speed targets are checked by `segalign bench`, never by tests).
/// </summary>
public class BenchRunTests
{
    static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "SegAlign.Cli.dll");

    static ProcessStartInfo BenchWorker(string request)
    {
        var start = new ProcessStartInfo("dotnet");
        foreach (var a in new[] { Cli, "bench-worker", request }) start.ArgumentList.Add(a);
        start.Environment["SEGALIGN_HOME"] = Presets.RepositoryRoot;
        return start;
    }

    static ProcessStartInfo Shell(string script)
    {
        var start = new ProcessStartInfo("bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return start;
    }

    [Fact]
    public void A_served_process_answers_each_command_and_one_that_dies_says_what_it_printed()
    {
        using (var echo = ServedProcess.Start(Shell("echo noise; echo 'READY {\"params\": 7}'; while read c n; do [ \"$c\" = quit ] && exit; echo \"RESULT $n.5\"; done"), "echo"))
        {
            Assert.Equal(7, echo.Ready.GetProperty("params").GetInt32());
            Assert.Equal(3.5, echo.Ask("train 3"));
            Assert.Equal([1.5], ServedProcess.Broadcast([echo], "train 1"));
        }
        using var dying = ServedProcess.Start(Shell("echo 'READY {}'; read c; echo 'boom: out of memory' >&2; exit 3"), "the dying helper");
        var error = Assert.Throws<InvalidOperationException>(() => dying.Ask("train 1"));
        Assert.Contains("the dying helper exited (3)", error.Message);
        Assert.Contains("boom: out of memory", error.Message);
    }

    [Fact]
    public void A_bench_worker_is_a_process_of_its_own_on_one_thread_that_trains_and_measures_its_reference()
    {
        string folder = Directory.CreateTempSubdirectory("segalign-bench-worker-").FullName;
        try
        {
            string request = new BenchWorkerRequest { Config = TestConfigs.Tiny(), Threads = 1, Warmup = 1 }.SaveIn(folder);
            using var worker = ServedProcess.Start(BenchWorker(request), "bench worker");
            Assert.Equal(1, worker.Ready.GetProperty("threads").GetInt32());
            Assert.True(worker.Ready.GetProperty("dataMsPerBatch").GetDouble() > 0);
            Assert.True(worker.Ask("train 2") > 0);
            Assert.True(worker.Ask("reference") > 0);
            var confused = Assert.Throws<InvalidOperationException>(() => worker.Ask("sprint 2"));
            Assert.Contains("unknown command", confused.Message);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void The_sweep_column_starts_one_worker_process_per_slot_each_with_one_thread()
    {
        var handed = new List<BenchWorkerRequest>();
        var plan = new BenchPlan(Rounds: 2, Iterations: 1, Warmup: 1, SweepProcesses: 2,
            WorkerCommand: request => { lock (handed) handed.Add(BenchWorkerRequest.Load(request)); return BenchWorker(request); }, PeerTorch: null);
        var rounds = new List<string>();
        var row = BenchRun.Measure("fpn", TestConfigs.Tiny(), plan, rounds.Add);

        Assert.Equal([0, 1], handed.Select(r => r.Seed).Order());
        Assert.All(handed, r => Assert.Equal(1, r.Threads));
        Assert.Equal(2, row.Sweep!.Processes);
        Assert.Equal(1, row.Sweep.ThreadsPerProcess);
        Assert.Equal(2, rounds.Count(l => l.StartsWith("round ", StringComparison.Ordinal)));
        Assert.True(row.Sweep.ImagesPerSecond.Min > 0 && row.Training.ImagesPerSecond.Min > 0 && row.DataMsPerBatch > 0);
        Assert.True(row.Training.FractionOfPeak.Min > 0 && row.Sweep.ReferenceGflops.Min > 0);
        Assert.Null(row.Peer);
    }
}
