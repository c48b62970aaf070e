using SegAlign.Cli;
using System.Diagnostics;
using System.Text;

namespace SegAlign.Tests.Reliability;

/// <summary>
/// Issue 33 rows 1 and 15: the emitted Slurm script is data, not code — a hostile results path reaches `train` as one
/// argument and runs nothing; paths are relative to the repository and threads are pinned as the sweep pins them.
/// The per-task part runs under plain bash with a stub `environment/segalign` that records its arguments.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the script is bash
public class SlurmScriptTests
{
    const string Hostile = "out/rx$(touch PWNED) `touch PWNED2` a b 'single' \"double\"\nnewline\ttab";

    static (int Code, string Output) RunTask(string repository, string script, int task)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.Environment["SLURM_ARRAY_TASK_ID"] = task.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    /// <summary>A stand-in for the real command: writes its arguments, NUL-separated, to args.bin in the repository.</summary>
    static void StubSegAlign(string repository)
    {
        string file = Path.Combine(repository, "environment", "segalign");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" > args.bin\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    static void AssertNothingEscaped(string repository)
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(repository, "PWNED*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "PWNED")));
        // Only the repository's own folders and the results folder the user named exist at the top.
        Assert.Equal(["environment", "experiments", "out"], Directory.EnumerateDirectories(repository).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_hostile_results_path_reaches_train_as_one_argument_and_runs_nothing()
    {
        using var repository = new TempRepository();
        StubSegAlign(repository.Root);
        string results = Path.Combine(repository.Root, Hostile);
        var emitted = CliRunner.Run("ablation", "emit", "slurm", "sfnet", "--preset", "smoke", "--results", results);
        Assert.True(emitted.Code == 0, emitted.Error + emitted.Out);
        string script = Path.Combine(results, "smoke", "sfnet", "slurm.sh");
        string text = File.ReadAllText(script);
        Assert.DoesNotContain(repository.Root, text);                 // relative to the repository, no machine paths
        Assert.DoesNotContain(repository.Root, File.ReadAllText(Path.Combine(results, "smoke", "sfnet", "slurm-manifest.tsv")));
        Assert.Contains("--threads 1", text);                         // pinned as the sweep pins it
        Assert.Contains("--cpus-per-task=1", text);
        Assert.DoesNotContain("SLURM_CPUS_PER_TASK", text);

        var (code, output) = RunTask(repository.Root, script, task: 0);
        Assert.True(code == 0, output);
        AssertNothingEscaped(repository.Root);
        var args = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(repository.Root, "args.bin"))).TrimEnd('\0').Split('\0');
        string firstKey = File.ReadLines(Path.Combine(results, "smoke", "sfnet", "slurm-manifest.tsv")).First().Split('\t')[0];
        Assert.Equal("train", args[0]);
        string config = args[Array.IndexOf(args, "--config") + 1];
        string output_ = args[Array.IndexOf(args, "--out") + 1];
        Assert.False(Path.IsPathRooted(config));
        Assert.True(File.Exists(Path.Combine(repository.Root, config)), config);
        Assert.Equal(Path.Combine(results, "smoke", "runs", firstKey), Path.GetFullPath(Path.Combine(repository.Root, output_)));
        Assert.Equal("1", args[Array.IndexOf(args, "--threads") + 1]);
    }

    [Fact]
    public void An_edited_manifest_line_is_refused_not_run()
    {
        using var repository = new TempRepository();
        StubSegAlign(repository.Root);
        string results = Path.Combine(repository.Root, "out", "plain");
        Assert.Equal(0, CliRunner.Run("ablation", "emit", "slurm", "sfnet", "--preset", "smoke", "--results", results).Code);
        string folder = Path.Combine(results, "smoke", "sfnet");
        File.WriteAllText(Path.Combine(folder, "slurm-manifest.tsv"), "$(touch PWNED)\t../../x\t0\n");

        var (code, output) = RunTask(repository.Root, Path.Combine(folder, "slurm.sh"), task: 0);
        Assert.Equal(2, code);
        Assert.Contains("slurm-manifest.tsv", output);
        Assert.False(File.Exists(Path.Combine(repository.Root, "args.bin")));
        AssertNothingEscaped(repository.Root);
    }

    [Fact]
    public void Run_outside_the_repository_root_the_task_says_where_to_submit_from()
    {
        using var repository = new TempRepository();
        StubSegAlign(repository.Root);
        string results = Path.Combine(repository.Root, "out", "plain");
        Assert.Equal(0, CliRunner.Run("ablation", "emit", "slurm", "sfnet", "--preset", "smoke", "--results", results).Code);
        var (code, output) = RunTask(Path.Combine(repository.Root, "experiments"), Path.Combine(results, "smoke", "sfnet", "slurm.sh"), task: 0);
        Assert.Equal(2, code);
        Assert.Contains("repository root", output);
    }
}
