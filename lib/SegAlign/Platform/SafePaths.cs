using System.Text.RegularExpressions;

namespace SegAlign.Platform;

/// <summary>
/// Names that become paths, and paths that leave this machine: a user-given name is a plain name (never a path),
/// every derived output path stays under its root, and shared pages show paths relative to the repository.
/// </summary>
public static partial class SafePaths
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex PlainNamePattern();

    /// <summary>Throws unless <paramref name="name"/> is a plain file name: letters, digits, '-', '_', '.', no separators, no "..".</summary>
    public static string PlainName(string name, string what, string fix)
    {
        if (string.IsNullOrEmpty(name) || !PlainNamePattern().IsMatch(name) || name.Contains("..", StringComparison.Ordinal))
            throw new InputException(what, $"'{name}' is not a plain name (letters, digits, '-', '_'; no path separators or '..')", fix);
        return name;
    }

    /// <summary><paramref name="root"/>/<paramref name="parts"/>, checked to stay inside <paramref name="root"/>.</summary>
    public static string Under(string root, params string[] parts)
    {
        string fullRoot = Path.GetFullPath(root);
        string path = Path.GetFullPath(Path.Combine([fullRoot, .. parts]));
        if (!IsInside(fullRoot, path))
            throw new InputException(string.Join('/', parts), $"would write outside {Shown(fullRoot)} (to {Shown(path)})", "use a plain name without path separators or '..'");
        return path;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it.</summary>
    public static bool IsInside(string root, string path)
    {
        string relative = Path.GetRelativePath(Path.GetFullPath(root), Path.GetFullPath(path));
        return relative == "." || !(relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative));
    }

    /// <summary>
    /// A path as pages and messages that are shared show it: relative to the repository when inside it; otherwise only
    /// its last folder and name, so a report never records where one machine keeps its files.
    /// </summary>
    public static string Shown(string path)
    {
        string full = Path.GetFullPath(path);
        string? root = RepositoryRootOrNull();
        if (root is not null && IsInside(root, full))
        {
            string relative = Path.GetRelativePath(root, full);
            return relative == "." ? "." : relative.Replace(Path.DirectorySeparatorChar, '/');
        }
        string trimmed = full.TrimEnd(Path.DirectorySeparatorChar);
        string name = Path.GetFileName(trimmed);
        string? parentPath = Path.GetDirectoryName(trimmed);
        // A top-level parent (/tmp, /home) says where this machine keeps things, not what the folder is: leave it out.
        bool parentIsTopLevel = parentPath is null || Path.GetDirectoryName(parentPath) is null or "" || Path.GetDirectoryName(parentPath) == Path.GetPathRoot(parentPath);
        return parentIsTopLevel ? $"…/{name}" : $"…/{Path.GetFileName(parentPath)}/{name}";
    }

    static string? RepositoryRootOrNull()
    {
        try { return Repository.Root; }
        catch (InputException) { return null; }
    }
}
