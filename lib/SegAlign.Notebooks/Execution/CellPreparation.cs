using System.Text.RegularExpressions;

namespace SegAlign.Notebooks;

/// <summary>
/// A code cell ready to submit to the kernel: #!time is the runner's (the line is blanked rather than removed, so
/// compiler line numbers stay those of the cell); every other directive is the kernel's.
/// </summary>
public sealed record PreparedCell(int Index, string Code, bool Timed);

/// <summary>Checks a code cell's kernel and directives before anything runs, so a bad cell fails in seconds, not after an hour of training.</summary>
public static partial class CellPreparation
{
    // .NET Interactive's other kernels: the host runs the C# kernel only.
    static readonly HashSet<string> OtherKernels = new(StringComparer.OrdinalIgnoreCase)
    {
        "fsharp", "f#", "pwsh", "powershell", "javascript", "js", "html", "markdown", "md", "mermaid", "sql", "kql", "http", "python", "r", "value",
    };

    // Magic commands the hosted kernel has (KernelSession wires them as the stock tool does); #!time is timed here.
    static readonly HashSet<string> KernelMagics = new(StringComparer.OrdinalIgnoreCase) { "set", "share", "who", "whos" };

    // The stock tool's magics that need its front end or connections, which the host has not.
    static readonly HashSet<string> FrontEndMagics = new(StringComparer.OrdinalIgnoreCase)
    {
        "lsmagic", "about", "import", "connect", "log",
    };

    const string SupportedDirectives = "#!csharp, #!time, #!set, #!share, #!who, #!whos, #r \"nuget: Name, Version\", #r \"<path>.dll\" and #i";
    const string BuildFix = "build the project first: `dotnet build -c Release` in the repository root (or run environment/setup)";

    [GeneratedRegex("""^#r\s*"(?<argument>[^"]*)"\s*(//.*)?$""")]
    private static partial Regex ReferenceLine();

    /// <summary><paramref name="where"/> names the cell in errors, e.g. "analysis.ipynb cell 3 (“#!fsharp”)";
    /// <paramref name="notebookFolder"/> is where a relative `#r` path starts (the kernel's working directory).</summary>
    public static PreparedCell Prepare(Cell cell, int index, string where, string defaultKernel, string notebookFolder)
    {
        var lines = cell.Source.Split('\n');
        CheckKernel(cell, lines, where, defaultKernel);
        bool timed = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                string magic = line[2..].Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
                if (PolyglotMetadata.IsCSharpKernel(magic) || KernelMagics.Contains(magic)) { }
                else if (OtherKernels.Contains(magic)) throw NotCSharp(where, magic);
                else if (magic.Equals("time", StringComparison.OrdinalIgnoreCase)) { timed = true; lines[i] = ""; }
                else if (FrontEndMagics.Contains(magic))
                    throw new InputException(where, $"uses the magic command #!{magic}, which needs the .NET Interactive front end and `segalign notebook run` does not host",
                        $"remove line {i + 1} (the runner supports {SupportedDirectives})");
                else
                    throw new InputException(where, $"has the unknown magic command #!{magic} (line {i + 1})",
                        $"remove the line or correct it (the runner supports {SupportedDirectives})");
            }
            else if (IsDirective(line, "#r"))
            {
                var match = ReferenceLine().Match(line);
                if (!match.Success)
                    throw new InputException(where, $"has a malformed #r directive on line {i + 1}: {line}", "write #r \"nuget: Name, Version\" or #r \"relative/path.dll\"");
                CheckReference(match.Groups["argument"].Value.Trim(), where, notebookFolder);
            }
        }
        return new PreparedCell(index, string.Join('\n', lines), timed);
    }

    /// <summary>A `#r` of a .dll path must name a file that exists (a notebook of this project: the built library).</summary>
    static void CheckReference(string argument, string where, string notebookFolder)
    {
        if (argument.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
        {
            if (argument["nuget:".Length..].Split(',')[0].Trim().Length == 0)
                throw new InputException(where, "has `#r \"nuget:\"` without a package name", "write #r \"nuget: Name, Version\"");
            return;
        }
        // `#r "System.Xml.Linq"`: an assembly name, which the kernel resolves itself.
        bool isPath = argument.IndexOfAny(['/', '\\']) >= 0 || argument.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        string path = Path.GetFullPath(Path.Combine(notebookFolder, argument));
        if (isPath && !File.Exists(path))
            throw new InputException(where, $"references {argument}, which does not exist ({path})", BuildFix);
    }

    static bool IsDirective(string line, string directive) =>
        line.StartsWith(directive, StringComparison.Ordinal) && line.Length > directive.Length && (char.IsWhiteSpace(line[directive.Length]) || line[directive.Length] == '"');

    /// <summary>A leading #!kernel selector decides; else the cell's metadata; else the notebook's default kernel.</summary>
    static void CheckKernel(Cell cell, string[] lines, string where, string defaultKernel)
    {
        string first = lines.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        if (first.StartsWith("#!", StringComparison.Ordinal))
        {
            string selector = first[2..].Trim();
            if (PolyglotMetadata.IsCSharpKernel(selector)) return;
            if (OtherKernels.Contains(selector)) throw NotCSharp(where, selector);
        }
        string kernel = PolyglotMetadata.CellKernel(cell.Metadata) ?? defaultKernel;
        if (!PolyglotMetadata.IsCSharpKernel(kernel)) throw NotCSharp(where, kernel);
    }

    static InputException NotCSharp(string where, string kernel) =>
        new(where, $"is a {kernel} cell, and `segalign notebook run` runs C# cells only",
            "rewrite it in C# and set its kernel to C# (VS Code: the kernel picker at the cell's bottom right; in the file: " +
            "metadata.polyglot_notebook.kernelName = \"csharp\"), or make it a markdown cell");
}
