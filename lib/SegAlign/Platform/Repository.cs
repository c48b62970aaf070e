namespace SegAlign.Platform;

/// <summary>Where the repository (experiments/, results/) is: every layer that reads its files asks here.</summary>
public static class Repository
{
    /// <summary>$SEGALIGN_HOME, else the first folder upwards from the working directory or the program that holds experiments/baseline.json.</summary>
    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable("SEGALIGN_HOME") is { Length: > 0 } home) return Path.GetFullPath(home);
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, "experiments", "baseline.json"))) return dir.FullName;
            throw new InputException("experiments/", "could not be found from the working directory or the program's folder",
                "run segalign inside the repository, or set SEGALIGN_HOME to the repository root");
        }
    }
}
