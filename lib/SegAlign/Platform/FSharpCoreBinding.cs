using System.Reflection;
using System.Runtime.Loader;

namespace SegAlign.Platform;

/// <summary>
/// Lets Plotly.NET (built against FSharp.Core 10.1) run in a process that already has another FSharp.Core 10.x,
/// such as the stock .NET Interactive kernel, which loads its own FSharp.Core 10.0 at start. The default load
/// context cannot satisfy a request for a newer version than the one it has, so the request would fail with
/// FileNotFoundException; answering it with the loaded copy of the same major version keeps one FSharp.Core in
/// the process (Plotly.NET uses nothing that changed within 10.x; the notebooks' charts are checked in the kernel).
/// </summary>
static class FSharpCoreBinding
{
    const string FSharpCore = "FSharp.Core";
    static int installed;

    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 0) AssemblyLoadContext.Default.Resolving += (_, requested) => Resolve(requested);
    }

    /// <summary>The loaded FSharp.Core of the requested major version, or null (the request then fails as before).</summary>
    internal static Assembly? Resolve(AssemblyName requested)
    {
        if (!string.Equals(requested.Name, FSharpCore, StringComparison.Ordinal) || requested.Version is null) return null;
        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && AssemblyLoadContext.GetLoadContext(a) == AssemblyLoadContext.Default)
            .FirstOrDefault(a => a.GetName() is { Name: FSharpCore, Version: { } loaded } && loaded.Major == requested.Version.Major);
    }
}
