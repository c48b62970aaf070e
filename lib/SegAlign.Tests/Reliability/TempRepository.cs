using SegAlign.Experiments;

namespace SegAlign.Tests.Reliability;

/// <summary>
/// A throw-away copy of the repository's experiments/ that SegAlign uses while the test runs (SEGALIGN_HOME),
/// so a test can break or add experiment files without touching the checkout. Tests run one at a time.
/// </summary>
public sealed class TempRepository : IDisposable
{
    readonly string? previousHome = Environment.GetEnvironmentVariable("SEGALIGN_HOME");

    public string Root { get; } = Directory.CreateTempSubdirectory("segalign-repo-").FullName;
    public string Experiments => Path.Combine(Root, "experiments");
    public string Results => Path.Combine(Root, "results");

    public TempRepository()
    {
        string source = Presets.ExperimentsFolder;
        Directory.CreateDirectory(Experiments);
        foreach (var file in Directory.EnumerateFiles(source, "*.json")) File.Copy(file, Path.Combine(Experiments, Path.GetFileName(file)));
        Environment.SetEnvironmentVariable("SEGALIGN_HOME", Root);
    }

    public string WriteExperiment(string fileName, string json)
    {
        string path = Path.Combine(Experiments, fileName);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>An existing experiment file's text with <paramref name="from"/> replaced by <paramref name="to"/>.</summary>
    public string Edited(string experiment, string from, string to)
    {
        string text = File.ReadAllText(Path.Combine(Experiments, experiment + ".json"));
        Assert.Contains(from, text);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("SEGALIGN_HOME", previousHome);
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
