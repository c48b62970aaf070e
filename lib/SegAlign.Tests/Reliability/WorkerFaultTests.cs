using System.Diagnostics;
using SegAlign.Experiments;

namespace SegAlign.Tests.Reliability;

/// <summary>kill -9 of a sweep leaves no training process behind.</summary>
public class WorkerFaultTests
{
    static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "SegAlign.Cli.dll");

    /// <summary>Live (not zombie) processes whose parent is <paramref name="parent"/>, from /proc.</summary>
    static List<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            if (Stat(pid) is { } stat && stat.Parent == parent && stat.State != 'Z') children.Add(pid);
        }
        return children;
    }

    static bool Alive(int pid) => Stat(pid) is { State: not ('Z' or 'X') };

    static (char State, int Parent)? Stat(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    [Fact]
    public void Killing_a_sweeps_parent_kills_its_workers()
    {
        string results = Directory.CreateTempSubdirectory("segalign-fault-").FullName;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Cli, "ablation", "run", "ifa", "--preset", "smoke", "--jobs", "2", "--threads", "1", "--seeds", "0",
                     "--set", "train.iterations=100000", "--results", results })
            start.ArgumentList.Add(a);
        start.Environment["SEGALIGN_HOME"] = Presets.RepositoryRoot;
        using var sweep = Process.Start(start)!;
        sweep.OutputDataReceived += (_, _) => { };
        sweep.ErrorDataReceived += (_, _) => { };
        sweep.BeginOutputReadLine();
        sweep.BeginErrorReadLine();
        var workers = new List<int>();
        try
        {
            var clock = Stopwatch.StartNew();
            while (workers.Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(90) && !sweep.HasExited)
            {
                Thread.Sleep(200);
                workers = ChildrenOf(sweep.Id);
            }
            Assert.True(workers.Count == 2, $"the sweep started {workers.Count} worker(s) (exited: {sweep.HasExited})");
            sweep.Kill(entireProcessTree: false); // SIGKILL of the parent alone: no handler of its own runs
            sweep.WaitForExit();
            clock.Restart();
            while (workers.Any(Alive) && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(100);
            Assert.DoesNotContain(workers, Alive);
        }
        finally
        {
            foreach (var pid in workers.Where(Alive))
                try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
    }
}
