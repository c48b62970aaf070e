using System.Diagnostics;

namespace SegAlign.Platform;

/// <summary>Which code produced a result: the git commit and whether tracked files differed from it.</summary>
public sealed record Provenance(string Commit, bool Dirty)
{
    public override string ToString() => Dirty ? $"{Commit} (with uncommitted changes)" : Commit;

    /// <summary>Paths whose content can change a result: code, experiment definitions, environment and build files.
    /// Documentation, notebooks and results themselves cannot.</summary>
    static readonly string[] ResultRelevantPaths =
        ["lib", "experiments", "environment", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "SegAlign.slnx"];

    /// <summary>The repository containing <paramref name="folder"/>; "unknown" outside a git checkout. Dirty means a
    /// tracked file that can change a result differs from the commit.</summary>
    public static Provenance Of(string folder)
    {
        string? root = Git(folder, "rev-parse", "--show-toplevel")?.Trim();
        string? commit = Git(folder, "rev-parse", "HEAD")?.Trim();
        if (string.IsNullOrEmpty(commit) || string.IsNullOrEmpty(root)) return new Provenance("unknown", false);
        string status = Git(root, ["status", "--porcelain", "--untracked-files=no", "--", .. ResultRelevantPaths]) ?? "";
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
