using System.Diagnostics;

namespace SegAlign.Data;

/// <summary>One split of Fashion-MNIST in memory: 28×28 grey images and their labels 0..9.</summary>
public sealed class FashionMnistSplit
{
    public const int Side = 28;

    public FashionMnistSplit(string name, byte[] pixels, byte[] labels)
    {
        Name = name; Pixels = pixels; Labels = labels;
    }

    public string Name { get; }
    /// <summary>Row-major, <see cref="Side"/>² bytes per image.</summary>
    public byte[] Pixels { get; }
    public byte[] Labels { get; }
    public int Count => Labels.Length;
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Side * Side, Side * Side);
}

/// <summary>
/// Finds (and if needed fetches, without root) the real Fashion-MNIST IDX files and loads them.
/// Search order: an explicit folder, $SEGALIGN_FASHION_MNIST, /usr/share/datasets/fashion-mnist (Debian package
/// dataset-fashion-mnist), the user cache; otherwise `apt-get download dataset-fashion-mnist` with private
/// package lists, unpacked by dpkg-deb into the cache.
/// </summary>
public static class FashionMnist
{
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public const string SystemFolder = "/usr/share/datasets/fashion-mnist";
    const string DebianPackage = "dataset-fashion-mnist";
    static readonly object loadLock = new();
    static readonly Dictionary<string, (FashionMnistSplit Train, FashionMnistSplit Test)> loaded = new();

    public static string CacheFolder =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "segalign", "fashion-mnist");

    /// <summary>Both splits, loaded once per process per folder.</summary>
    public static (FashionMnistSplit Train, FashionMnistSplit Test) Load(string? folder = null)
    {
        string root = Locate(folder);
        lock (loadLock)
        {
            if (!loaded.TryGetValue(root, out var splits))
            {
                splits = (LoadSplit(root, "train"), LoadSplit(root, "t10k"));
                loaded[root] = splits;
            }
            return splits;
        }
    }

    /// <summary>The folder holding the four IDX files; fetches them into the cache when nothing else has them.</summary>
    public static string Locate(string? folder = null)
    {
        if (folder is not null)
            return HasFiles(folder) ? folder
                : throw new InputException(folder, "does not contain the Fashion-MNIST files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-…)",
                    "point it at a folder holding the four IDX files, or omit it to use the Debian package");
        // A folder the user named is meant: falling back to another copy would silently train on other data.
        if (Environment.GetEnvironmentVariable("SEGALIGN_FASHION_MNIST") is { Length: > 0 } fromEnvironment)
            return HasFiles(fromEnvironment) ? fromEnvironment
                : throw new InputException($"SEGALIGN_FASHION_MNIST={fromEnvironment}", $"does not contain the Fashion-MNIST files ({MissingFiles(fromEnvironment)} missing)",
                    "point it at a folder holding the four IDX files (train-images-idx3-ubyte[.gz], …), or unset it to use the Debian package or the cache");
        var candidates = new List<string>();
        candidates.Add(SystemFolder);
        candidates.Add(CacheFolder);
        foreach (var candidate in candidates)
            if (HasFiles(candidate)) return candidate;

        string failure = TryFetchIntoCache();
        if (HasFiles(CacheFolder)) return CacheFolder;
        throw new InputException("Fashion-MNIST", $"not found in {string.Join(", ", candidates)}, and fetching it failed: {failure}",
            $"install it (sudo apt-get install {DebianPackage}), or put the four IDX files in a folder and set SEGALIGN_FASHION_MNIST to it");
    }

    static readonly string[] fileNames = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    static bool HasFiles(string folder) => MissingFiles(folder).Length == 0;

    static string MissingFiles(string folder) =>
        string.Join(", ", fileNames.Where(f => !File.Exists(Path.Combine(folder, f)) && !File.Exists(Path.Combine(folder, f + ".gz"))));

    static string Find(string folder, string name) =>
        File.Exists(Path.Combine(folder, name)) ? Path.Combine(folder, name) : Path.Combine(folder, name + ".gz");

    static FashionMnistSplit LoadSplit(string folder, string split)
    {
        string imagesPath = Find(folder, $"{split}-images-idx3-ubyte"), labelsPath = Find(folder, $"{split}-labels-idx1-ubyte");
        var (imageDims, pixels) = Idx.ReadBytes(imagesPath, 3);
        var (labelDims, labels) = Idx.ReadBytes(labelsPath, 1);
        if (imageDims[1] != FashionMnistSplit.Side || imageDims[2] != FashionMnistSplit.Side)
            throw new InputException(imagesPath, $"holds {imageDims[1]}×{imageDims[2]} images, expected 28×28", "use the original Fashion-MNIST files");
        if (imageDims[0] != labelDims[0])
            throw new InputException(labelsPath, $"has {labelDims[0]} labels for {imageDims[0]} images in {imagesPath}", "use matching image and label files");
        int bad = Array.FindIndex(labels, l => l > 9);
        if (bad >= 0) throw new InputException(labelsPath, $"label {labels[bad]} at index {bad} is outside 0..9", "use the original Fashion-MNIST label files");
        return new FashionMnistSplit(split, pixels, labels);
    }

    // apt-get download needs package lists; a private lists folder makes that work without root.
    static string TryFetchIntoCache()
    {
        string work = CacheFolder + ".fetch-" + Environment.ProcessId;
        try
        {
            Directory.CreateDirectory(Path.Combine(work, "lists", "partial"));
            string[] apt = ["-o", $"Dir::State::Lists={Path.Combine(work, "lists")}", "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root"];
            var (code, output) = Run("apt-get", [.. apt, "-q", "update"], work);
            if (code != 0) return $"apt-get update failed: {output}";
            (code, output) = Run("apt-get", [.. apt, "-q", "download", DebianPackage], work);
            if (code != 0) return $"apt-get download {DebianPackage} failed: {output}";
            string? deb = Directory.GetFiles(work, DebianPackage + "_*.deb").FirstOrDefault();
            if (deb is null) return "apt-get download produced no .deb";
            string unpacked = Path.Combine(work, "root");
            (code, output) = Run("dpkg-deb", ["-x", deb, unpacked], work);
            if (code != 0) return $"dpkg-deb -x failed: {output}";
            string source = Path.Combine(unpacked, SystemFolder.TrimStart('/'));
            if (!HasFiles(source)) return $"the package did not contain the IDX files under {SystemFolder}";
            Directory.CreateDirectory(Path.GetDirectoryName(CacheFolder)!);
            if (!HasFiles(CacheFolder))
            {
                if (Directory.Exists(CacheFolder)) Directory.Delete(CacheFolder, true);
                Directory.Move(source, CacheFolder); // atomic: the cache is either complete or absent
            }
            return "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return e.Message;
        }
        finally
        {
            try { if (Directory.Exists(work)) Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    static (int Code, string Output) Run(string program, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        string all = (stdout.Result + stderr).Trim();
        return (process.ExitCode, all.Length > 400 ? all[^400..] : all);
    }
}
