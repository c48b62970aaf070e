using SegAlign.Notebooks;
using SegAlign.Tests.Data;

namespace SegAlign.Tests.Notebooks;

/// <summary>A temporary folder that tests write notebooks into and run them from.</summary>
public sealed class NotebookFolder : IDisposable
{
    readonly TempFolder folder = new();

    public string Path => folder.Path;

    /// <summary>This checkout (its notebooks/ and results/).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public string File(params string[] parts) => folder.File(parts);

    public string Write(string name, params Cell[] cells) => Write(name, Notebook.CreateCSharp(cells));

    public string Write(string name, Notebook notebook)
    {
        string path = folder.File(name);
        notebook.Save(path);
        return path;
    }

    /// <summary>
    /// `#r` lines for the assemblies of <paramref name="types"/>, copied into bin/ beside the notebook and referenced by
    /// relative path as this project's notebooks reference SegAlign (no machine's path in the notebook); the kernel
    /// maps each to the copy the runner has loaded.
    /// </summary>
    public string References(params Type[] types)
    {
        var lines = new List<string>();
        foreach (var assembly in types.Select(t => t.Assembly).Distinct())
        {
            string name = System.IO.Path.GetFileName(assembly.Location);
            string copy = folder.File("bin", name);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(copy)!);
            if (!System.IO.File.Exists(copy)) System.IO.File.Copy(assembly.Location, copy);
            lines.Add($"#r \"bin/{name}\"");
        }
        return string.Join('\n', lines);
    }

    public static NotebookRunOutcome Run(string notebookPath, params string[] parameters) =>
        NotebookFile.Run(new NotebookRunRequest { NotebookPath = notebookPath, Parameters = parameters });

    /// <summary>Runs a notebook that must be refused before any cell runs; returns the refusal's message.</summary>
    public static string Refusal(string notebookPath, params string[] parameters)
    {
        var error = Assert.Throws<InputException>(() => Run(notebookPath, parameters));
        Assert.False(System.IO.File.Exists(NotebookFile.DefaultOutputPath(notebookPath)), "a refused notebook must not produce an executed copy");
        Assert.Contains("Fix:", error.Message);
        return error.Message;
    }

    static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Directory.Packages.props"))) return dir.FullName;
        throw new InvalidOperationException("the tests run outside the repository: Directory.Packages.props not found above " + AppContext.BaseDirectory);
    }

    public void Dispose() => folder.Dispose();
}
