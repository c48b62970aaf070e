using System.Reflection;
using System.Text.RegularExpressions;

namespace SegAlign.Notebooks;

/// <summary>
/// A code cell ready to compile: its directive lines (#!csharp, #!time, #r, #i) are blanked rather than removed,
/// so compiler line numbers stay those of the cell; the assemblies its `#r` lines ask for are resolved.
/// </summary>
public sealed record PreparedCell(int Index, string Code, bool Timed, IReadOnlyList<Assembly> References);

/// <summary>Checks a code cell's kernel and directives before anything runs, so a bad cell fails in seconds, not after an hour of training.</summary>
public static partial class CellPreparation
{
    // .NET Interactive's other kernels: a cell for one of them cannot run here.
    static readonly HashSet<string> OtherKernels = new(StringComparer.OrdinalIgnoreCase)
    {
        "fsharp", "f#", "pwsh", "powershell", "javascript", "js", "html", "markdown", "md", "mermaid", "sql", "kql", "http", "python", "r", "value",
    };

    // .NET Interactive magics that need its kernel infrastructure (sharing, connections, variables view).
    static readonly HashSet<string> UnsupportedMagics = new(StringComparer.OrdinalIgnoreCase)
    {
        "set", "share", "who", "whos", "lsmagic", "about", "import", "connect", "log", "value",
    };

    const string SupportedDirectives = "#!csharp, #!time, #r \"nuget: <project package>\" and #r \"<path>.dll\"";

    [GeneratedRegex("""^#r\s*"(?<argument>[^"]*)"\s*(//.*)?$""")]
    private static partial Regex ReferenceLine();

    /// <summary><paramref name="where"/> names the cell in errors, e.g. "analysis.ipynb cell 3 (“#!fsharp”)".</summary>
    public static PreparedCell Prepare(Cell cell, int index, string where, string defaultKernel, ReferenceResolver references)
    {
        var lines = cell.Source.Split('\n');
        CheckKernel(cell, lines, where, defaultKernel);
        bool timed = false;
        var assemblies = new List<Assembly>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                string magic = line[2..].Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
                if (PolyglotMetadata.IsCSharpKernel(magic)) { }
                else if (OtherKernels.Contains(magic)) throw NotCSharp(where, magic);
                else if (magic.Equals("time", StringComparison.OrdinalIgnoreCase)) timed = true;
                else if (UnsupportedMagics.Contains(magic))
                    throw new InputException(where, $"uses the magic command #!{magic}, which needs .NET Interactive and the headless runner does not support",
                        $"remove line {i + 1} (the runner supports {SupportedDirectives})");
                else
                    throw new InputException(where, $"has the unknown magic command #!{magic} (line {i + 1})",
                        $"remove the line or correct it (the runner supports {SupportedDirectives})");
                lines[i] = "";
            }
            else if (IsDirective(line, "#r"))
            {
                var match = ReferenceLine().Match(line);
                if (!match.Success)
                    throw new InputException(where, $"has a malformed #r directive on line {i + 1}: {line}", "write #r \"nuget: Name, Version\" or #r \"relative/path.dll\"");
                assemblies.AddRange(references.Resolve(match.Groups["argument"].Value, where));
                lines[i] = "";
            }
            // #i adds a package source: nothing is restored here (project packages only), so it has nothing to do.
            else if (IsDirective(line, "#i")) lines[i] = "";
        }
        return new PreparedCell(index, string.Join('\n', lines), timed, assemblies);
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
