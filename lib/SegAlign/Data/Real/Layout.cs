namespace SegAlign.Data.Real;

/// <summary>Checks for the folders and files of a published layout, with errors that describe the layout.</summary>
public static class Layout
{
    /// <summary>The folder that holds <paramref name="marker"/>: the root itself, or one of the usual top folders of the download below it.</summary>
    public static string FindRoot(string root, string marker, IEnumerable<string> usualTopFolders, string dataset, string expected)
    {
        if (!Directory.Exists(root))
            throw new InputException(root, $"{dataset} root folder does not exist", $"pass the folder that holds {expected}");
        foreach (var candidate in usualTopFolders.Prepend(""))
        {
            var folder = Path.Combine(root, candidate);
            if (Directory.Exists(Path.Combine(folder, marker)) || File.Exists(Path.Combine(folder, marker))) return folder;
        }
        throw new InputException(Path.Combine(root, marker), $"is missing, so this is not the {dataset} layout", $"pass the folder that holds {expected}");
    }

    public static string RequireFolder(string path, string dataset, string expected)
    {
        if (!Directory.Exists(path))
            throw new InputException(path, $"folder is missing from the {dataset} layout", $"the dataset root must hold {expected}");
        return path;
    }

    public static string RequireFile(string path, string what, string fix)
    {
        if (!File.Exists(path)) throw new InputException(path, $"is missing ({what})", fix);
        return path;
    }

    public static void RequireAny(IReadOnlyCollection<ImageLabelPair> pairs, string folder, string pattern, string expected)
    {
        if (pairs.Count == 0)
            throw new InputException(folder, $"holds no {pattern} images", $"the dataset root must hold {expected}");
    }

    /// <summary>Files in a folder (and its sub-folders if asked) matching a pattern, in ordinal order so that indices are stable across machines.</summary>
    public static string[] SortedFiles(string folder, string pattern, bool recursive = false)
    {
        var files = Directory.GetFiles(folder, pattern, recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly);
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }
}
