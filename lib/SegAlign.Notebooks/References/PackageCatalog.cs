using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace SegAlign.Notebooks;

/// <summary>A package the runner process carries: its resolved version and the managed assemblies it contributes.</summary>
public sealed record RuntimePackage(string Name, string Version, IReadOnlyList<string> AssemblyNames);

/// <summary>
/// The packages a notebook may `#r "nuget: …"`: the versions the project pins (Directory.Packages.props), and
/// what the runner actually carries (its deps.json). Notebooks never restore packages: the project's are the only ones.
/// </summary>
public sealed class PackageCatalog
{
    /// <summary>Package name → version from Directory.Packages.props (empty when no repository was found).</summary>
    public IReadOnlyDictionary<string, string> ProjectVersions { get; }

    /// <summary>Package name → what the runner process loaded from its deps.json.</summary>
    public IReadOnlyDictionary<string, RuntimePackage> RuntimePackages { get; }

    /// <summary>Where <see cref="ProjectVersions"/> came from, or null.</summary>
    public string? PackagesPropsPath { get; }

    public PackageCatalog(IReadOnlyDictionary<string, string> projectVersions, IReadOnlyDictionary<string, RuntimePackage> runtimePackages, string? packagesPropsPath)
    {
        ProjectVersions = projectVersions;
        RuntimePackages = runtimePackages;
        PackagesPropsPath = packagesPropsPath;
    }

    /// <summary>
    /// The catalog for a notebook: Directory.Packages.props from <paramref name="repositoryRoot"/>, else $SEGALIGN_HOME,
    /// else the first folder upwards from <paramref name="searchFrom"/> that has one; the runtime side from this process.
    /// </summary>
    public static PackageCatalog Discover(string? repositoryRoot, params string[] searchFrom)
    {
        string? props = FindPackagesProps(repositoryRoot, searchFrom);
        return new PackageCatalog(
            props is null ? new Dictionary<string, string>() : ReadPackagesProps(props),
            RuntimeDepsFile() is { } deps ? ReadDepsJson(deps) : new Dictionary<string, RuntimePackage>(),
            props);
    }

    /// <summary>The version a notebook must ask for: the project's pin, else the version the runner carries.</summary>
    public string? ProjectVersion(string package) =>
        ProjectVersions.TryGetValue(package, out var pinned) ? pinned
        : RuntimePackages.TryGetValue(package, out var carried) ? carried.Version
        : null;

    public IEnumerable<string> KnownPackages =>
        ProjectVersions.Keys.Union(RuntimePackages.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase);

    static string? FindPackagesProps(string? repositoryRoot, string[] searchFrom)
    {
        const string name = "Directory.Packages.props";
        if (repositoryRoot is not null) return File.Exists(Path.Combine(repositoryRoot, name)) ? Path.Combine(repositoryRoot, name) : null;
        if (Environment.GetEnvironmentVariable("SEGALIGN_HOME") is { Length: > 0 } home && File.Exists(Path.Combine(home, name)))
            return Path.Combine(home, name);
        foreach (var start in searchFrom)
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, name))) return Path.Combine(dir.FullName, name);
        return null;
    }

    public static Dictionary<string, string> ReadPackagesProps(string path)
    {
        var versions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var element in XDocument.Load(path).Descendants().Where(e => e.Name.LocalName == "PackageVersion"))
                if ((string?)element.Attribute("Include") is { } package && (string?)element.Attribute("Version") is { } version)
                    versions[package] = version;
        }
        catch (System.Xml.XmlException e)
        {
            throw new InputException(path, $"is not valid XML ({e.Message})", "restore it from the repository");
        }
        return versions;
    }

    /// <summary>This process's deps.json (the CLI's, or the test project's under `dotnet test`).</summary>
    static string? RuntimeDepsFile()
    {
        if (AppContext.GetData("APP_CONTEXT_DEPS_FILES") is string files)
            foreach (var file in files.Split(';', StringSplitOptions.RemoveEmptyEntries))
                if (File.Exists(file) && !file.Contains("Microsoft.NETCore.App", StringComparison.Ordinal)) return file;
        return Directory.EnumerateFiles(AppContext.BaseDirectory, "*.deps.json").FirstOrDefault();
    }

    public static Dictionary<string, RuntimePackage> ReadDepsJson(string path)
    {
        var packages = new Dictionary<string, RuntimePackage>(StringComparer.OrdinalIgnoreCase);
        JsonObject? deps;
        try
        {
            deps = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException)
        {
            return packages;
        }
        string? target = deps?["runtimeTarget"]?["name"]?.GetValue<string>();
        if (deps?["libraries"] is not JsonObject libraries || target is null || deps["targets"]?[target] is not JsonObject targets) return packages;
        foreach (var (key, library) in libraries)
        {
            if (library?["type"]?.GetValue<string>() != "package") continue;
            int slash = key.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0) continue;
            var assemblies = targets[key]?["runtime"] is JsonObject runtime
                ? runtime.Select(p => Path.GetFileNameWithoutExtension(p.Key)).ToArray()
                : [];
            packages[key[..slash]] = new RuntimePackage(key[..slash], key[(slash + 1)..], assemblies);
        }
        return packages;
    }

    /// <summary>NuGet's notion of "the same version": 6.0 = 6.0.0 = 6.0.0.0; prerelease labels compare case-insensitively.</summary>
    public static bool SameVersion(string requested, string actual)
    {
        static (int[] Numbers, string Label)? Normalise(string version)
        {
            string[] parts = version.Trim().Split('+')[0].Split('-', 2);
            var numbers = parts[0].Split('.');
            var parsed = new int[4];
            if (numbers.Length > 4) return null;
            for (int i = 0; i < numbers.Length; i++)
                if (!int.TryParse(numbers[i], out parsed[i])) return null;
            return (parsed, parts.Length > 1 ? parts[1].ToUpperInvariant() : "");
        }
        var (a, b) = (Normalise(requested), Normalise(actual));
        if (a is null || b is null) return string.Equals(requested.Trim(), actual.Trim(), StringComparison.OrdinalIgnoreCase);
        return a.Value.Numbers.SequenceEqual(b.Value.Numbers) && a.Value.Label == b.Value.Label;
    }
}
