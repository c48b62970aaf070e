using System.Reflection;
using System.Runtime.Loader;

namespace SegAlign.Notebooks;

/// <summary>
/// Turns a cell's `#r` argument into assemblies the runner already has. `#r "nuget: Name[, Version]"` must name a
/// project package at the project's version; `#r "path.dll"` (relative to the notebook) must exist and is mapped to the
/// loaded assembly of the same name, so that notebook and runner share one copy (one PngImage type, not two).
/// </summary>
public sealed class ReferenceResolver(string notebookFolder, PackageCatalog packages)
{
    const string BuildFix = "build the project first: `dotnet build -c Release` in the repository root (or run environment/setup)";

    /// <param name="argument">The text between the quotes of `#r "…"`.</param>
    /// <param name="where">Names the cell in errors.</param>
    public IReadOnlyList<Assembly> Resolve(string argument, string where)
    {
        string trimmed = argument.Trim();
        return trimmed.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase)
            ? ResolvePackage(trimmed["nuget:".Length..], where)
            : [ResolveFile(trimmed, where)];
    }

    IReadOnlyList<Assembly> ResolvePackage(string spec, string where)
    {
        var parts = spec.Split(',', 2, StringSplitOptions.TrimEntries);
        string name = parts[0];
        string? requested = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null;
        if (name.Length == 0) throw new InputException(where, "has `#r \"nuget:\"` without a package name", "write #r \"nuget: Name, Version\"");

        string? projectVersion = packages.ProjectVersion(name);
        if (projectVersion is null)
            throw new InputException(where, $"references the package {name}, which is not one of the project's packages",
                $"use one of {string.Join(", ", packages.KnownPackages)}; or add {name} to Directory.Packages.props, reference it from lib/SegAlign.Notebooks/SegAlign.Notebooks.csproj and rebuild");
        // A floating version (*, 6.*) asks for "whatever is current": the project's pin is that.
        if (requested is not null && !requested.Contains('*', StringComparison.Ordinal) && !PackageCatalog.SameVersion(requested, projectVersion))
            throw new InputException(where, $"asks for {name} {requested}, but the project uses {name} {projectVersion}",
                $"write #r \"nuget: {name}, {projectVersion}\" (or leave the version out); to move the project to {requested}, change Directory.Packages.props and rebuild");

        if (!packages.RuntimePackages.TryGetValue(name, out var carried))
        {
            // No deps.json to consult: a package usually ships an assembly of its own name.
            if (packages.RuntimePackages.Count == 0 && TryLoad(name) is { } sameName) return [sameName];
            throw new InputException(where, $"references {name} {projectVersion}, which the project pins but the notebook runner does not carry",
                $"add <PackageReference Include=\"{name}\" /> to lib/SegAlign.Notebooks/SegAlign.Notebooks.csproj and rebuild");
        }
        var assemblies = new List<Assembly>();
        foreach (var assemblyName in carried.AssemblyNames)
            assemblies.Add(TryLoad(assemblyName) ?? throw new InputException(where, $"references {name}, but its assembly {assemblyName} cannot be loaded", BuildFix));
        return assemblies;
    }

    Assembly ResolveFile(string reference, string where)
    {
        string path = Path.GetFullPath(Path.Combine(notebookFolder, reference));
        if (!File.Exists(path))
        {
            // `#r "System.Xml.Linq"`: an assembly name rather than a path.
            bool looksLikeName = reference.IndexOfAny(['/', '\\']) < 0 && !reference.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
            if (looksLikeName && TryLoad(reference) is { } byName) return byName;
            throw new InputException(where, $"references {reference}, which does not exist ({path})",
                looksLikeName ? "reference an assembly the runner has, or a .dll path relative to the notebook" : BuildFix);
        }
        AssemblyName name;
        try
        {
            name = AssemblyName.GetAssemblyName(path);
        }
        catch (BadImageFormatException)
        {
            throw new InputException(where, $"references {path}, which is not a .NET assembly", "reference the managed .dll (native libraries load by themselves)");
        }
        // The runner's own copy wins even when the file is another build of it: two copies would make two distinct types.
        return TryLoad(name.Name!) ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
    }

    static Assembly? TryLoad(string simpleName)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => !a.IsDynamic && string.Equals(a.GetName().Name, simpleName, StringComparison.OrdinalIgnoreCase));
        if (loaded is not null) return loaded;
        try
        {
            return Assembly.Load(new AssemblyName(simpleName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }
}
