using System.Text.Json.Nodes;

namespace SegAlign.Tests.Notebooks;

/// <summary>
/// `segalign notebook run` proves something about VS Code and Jupyter only while its kernel is the stock tool's: the
/// .NET Interactive packages it hosts are the ones the pinned tool (.config/dotnet-tools.json) bundles, and this
/// process has the FSharp.Core minor version the tool loads (Plotly.NET asks for a newer one; the stock kernel
/// answers with its own). Needs the tool restored (`dotnet tool restore`, which environment/jupyter runs).
/// </summary>
public sealed class HostMatchesStockToolTests
{
    [Fact]
    public void The_hosted_kernel_and_FSharp_Core_are_the_versions_the_pinned_tool_bundles()
    {
        var bundled = BundledPackages();

        string hosted = typeof(Microsoft.DotNet.Interactive.CSharp.CSharpKernel).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];
        Assert.True(bundled["Microsoft.DotNet.Interactive.CSharp"] == hosted,
            $"the runner hosts Microsoft.DotNet.Interactive.CSharp {hosted}, the pinned tool bundles {bundled["Microsoft.DotNet.Interactive.CSharp"]}: " +
            "set the .NET Interactive versions in Directory.Packages.props to the tool's");

        var toolFSharp = Version.Parse(bundled["FSharp.Core"].Split('-')[0]);
        var ours = typeof(Microsoft.FSharp.Core.FSharpOption<int>).Assembly.GetName().Version!;
        var fileVersion = System.Diagnostics.FileVersionInfo.GetVersionInfo(typeof(Microsoft.FSharp.Core.FSharpOption<int>).Assembly.Location);
        Assert.True((toolFSharp.Major, toolFSharp.Minor) == (ours.Major, ours.Minor),
            $"this process has FSharp.Core {ours} ({fileVersion.ProductVersion}), the pinned tool's kernel {toolFSharp}: " +
            "set the FSharp.Core VersionOverride in Directory.Build.props to a served version of the tool's minor version");
    }

    /// <summary>Package name → version, from the tool's deps.json in the NuGet cache.</summary>
    static Dictionary<string, string> BundledPackages()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(NotebookFolder.RepositoryRoot, ".config", "dotnet-tools.json")))!;
        string version = manifest["tools"]!["microsoft.dotnet-interactive"]!["version"]!.GetValue<string>();
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string deps = Path.Combine(packages, "microsoft.dotnet-interactive", version, "tools", "net10.0", "any", "Microsoft.DotNet.Interactive.App.deps.json");
        Assert.True(File.Exists(deps), $"the pinned tool Microsoft.dotnet-interactive {version} is not restored ({deps} is missing). Fix: run `dotnet tool restore` in {NotebookFolder.RepositoryRoot} (environment/jupyter does)");
        var libraries = JsonNode.Parse(File.ReadAllText(deps))!["libraries"]!.AsObject();
        return libraries.Select(p => p.Key.Split('/', 2)).Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.OrdinalIgnoreCase);
    }
}
