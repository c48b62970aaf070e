using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace SegAlign.Notebooks;

/// <summary>The compiler setup every cell shares: references, default imports, debug information for line numbers.</summary>
static class ScriptEnvironment
{
    public static readonly string[] Imports =
    [
        "System", "System.Collections.Generic", "System.Globalization", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks",
    ];

    // The packages notebooks are written against; touching a type of each loads it, so it is referenced below.
    static readonly Assembly[] NotebookAssemblies =
    [
        typeof(InputException).Assembly,
        typeof(TorchSharp.torch).Assembly,
        typeof(Plotly.NET.GenericChart).Assembly,
        typeof(Plotly.NET.CSharp.Chart).Assembly,
        typeof(Microsoft.Data.Analysis.DataFrame).Assembly,
        typeof(Microsoft.FSharp.Core.FSharpOption<>).Assembly,
        typeof(NotebookGlobals).Assembly,
    ];

    // Reading metadata is the slow part of the first compile; a process that runs several notebooks reads it once.
    static readonly Lazy<MetadataReference[]> FrameworkReferences = new(() =>
    {
        string frameworkFolder = RuntimeEnvironment.GetRuntimeDirectory();
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES"))?.Split(Path.PathSeparator) ?? [];
        return [.. trusted.Where(path => path.StartsWith(frameworkFolder, StringComparison.Ordinal) && path.EndsWith(".dll", StringComparison.Ordinal))
                          .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    });

    /// <summary>
    /// The whole shared framework (System.*, available whether loaded yet or not), plus every other assembly this
    /// process has loaded, passed as the loaded Assembly itself so that cells use the runner's copy (type identity).
    /// </summary>
    public static ScriptOptions Options(string notebookFolder)
    {
        string frameworkFolder = RuntimeEnvironment.GetRuntimeDirectory();
        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .Concat(NotebookAssemblies)
            .Where(a => !a.IsDynamic && a.Location.Length > 0 && !a.Location.StartsWith(frameworkFolder, StringComparison.Ordinal))
            .DistinctBy(a => a.GetName().Name, StringComparer.OrdinalIgnoreCase);
        return ScriptOptions.Default
            .WithReferences(FrameworkReferences.Value)
            .AddReferences(loaded)
            .WithImports(Imports)
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithAllowUnsafe(true)
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8)
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(notebookFolder));
    }
}
