using System.Reflection;
using System.Runtime.Loader;

namespace SegAlign.Platform;

/// <summary>
/// Lets Plotly.NET (built against FSharp.Core 10.1) run in a process that has another FSharp.Core 10.x, such as
/// the stock .NET Interactive kernel, which loads its own FSharp.Core 10.0 at start, and every SegAlign process,
/// which carries 10.0 on purpose (Directory.Build.props). The default load context cannot satisfy a request for a
/// newer version than the one it has, so the request would fail with FileNotFoundException; answering it with the
/// process's copy of the same major version (loaded, else its own) keeps one FSharp.Core in the process (Plotly.NET
/// uses nothing that changed within 10.x; the notebooks' charts are checked in the kernel).
/// </summary>
static class FSharpCoreBinding
{
    const string FSharpCore = "FSharp.Core";
    static int installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 0) AssemblyLoadContext.Default.Resolving += (_, requested) => Resolve(requested);
    }

    /// <summary>The process's FSharp.Core of the requested major version (the loaded one, else the one the application
    /// carries), or null (the request then fails as before).</summary>
    internal static Assembly? Resolve(AssemblyName requested)
    {
        if (!string.Equals(requested.Name, FSharpCore, StringComparison.Ordinal) || requested.Version is null) return null;
        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && AssemblyLoadContext.GetLoadContext(a) == AssemblyLoadContext.Default)
            .FirstOrDefault(a => a.GetName().Name == FSharpCore);
        // Nothing has touched FSharp.Core yet (Plotly.NET is the first): the application's own copy, by name alone.
        loaded ??= Carried();
        return loaded?.GetName().Version?.Major == requested.Version.Major ? loaded : null;
    }

    static Assembly? Carried()
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(FSharpCore));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException)
        {
            return null;
        }
    }
}
