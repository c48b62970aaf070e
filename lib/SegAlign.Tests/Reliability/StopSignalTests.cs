using System.Diagnostics;
using SegAlign.Experiments;

namespace SegAlign.Tests.Reliability;

/// <summary>Issue 33 row 14: SIGTERM stops `train` as Ctrl+C does — saying how to resume — instead of ending in silence.</summary>
public class StopSignalTests
{
    static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "SegAlign.Cli.dll");

    [Fact]
    public void Sigterm_to_train_says_stopped_and_how_to_resume()
    {
        Assert.True(OperatingSystem.IsLinux(), "this test sends a POSIX signal with kill");
        string folder = TestConfigs.NewRunFolder();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Cli, "train", "--preset", "smoke", "--threads", "1", "--set", "train.iterations=100000", "--set", "train.checkpointEvery=2", "--out", folder })
            start.ArgumentList.Add(a);
        start.Environment["SEGALIGN_HOME"] = Presets.RepositoryRoot;
        using var train = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        train.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        train.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        train.BeginOutputReadLine();
        train.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(folder, "checkpoint.ckpt")) && clock.Elapsed < TimeSpan.FromSeconds(90) && !train.HasExited) Thread.Sleep(100);
            Assert.True(File.Exists(Path.Combine(folder, "checkpoint.ckpt")), string.Join('\n', output));
            using (var kill = Process.Start("kill", ["-TERM", train.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.True(train.WaitForExit(TimeSpan.FromSeconds(60)), "train did not stop on SIGTERM");
            train.WaitForExit(); // flushes the redirected output
            string text = string.Join('\n', output);
            Assert.True(train.ExitCode == 143, $"exit {train.ExitCode}: {text}");
            Assert.Contains("stopped by SIGTERM; resume with", text);
            Assert.Contains("--resume --out", text);
            Assert.True(File.Exists(Path.Combine(folder, "checkpoint.ckpt")));
        }
        finally
        {
            if (!train.HasExited) train.Kill(entireProcessTree: true);
        }
    }
}
