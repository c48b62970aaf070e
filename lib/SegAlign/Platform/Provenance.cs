using System.Diagnostics;

namespace SegAlign.Platform;

/// <summary>Which code produced a result: the git commit and whether tracked files differed from it.</summary>
public sealed record Provenance(string Commit, bool Dirty)
{
    public override string ToString() => Dirty ? $"{Commit} (with uncommitted changes)" : Commit;

    /// <summary>The repository containing <paramref name="folder"/>; "unknown" outside a git checkout.
    /// Changes under results/ do not count as dirty: results are outputs, not code.</summary>
    public static Provenance Of(string folder)
    {
        string? commit = Git(folder, "rev-parse", "HEAD")?.Trim();
        if (string.IsNullOrEmpty(commit)) return new Provenance("unknown", false);
        string status = Git(folder, "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)results") ?? "";
        return new Provenance(commit, status.Trim().Length > 0);
    }

    static string? Git(string folder, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in arguments) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
