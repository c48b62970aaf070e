using System.Reflection;
using NetArchTest.Rules;
using SegAlign.Cli;
using SegAlign.Config;
using SegAlign.Notebooks;

namespace SegAlign.Tests.Architecture;

/// <summary>
/// Dependencies flow one way. A namespace may use the shared root (SegAlign: InputException, Json, AtomicFile)
/// and any namespace of a lower layer; never one of its own layer or a higher one. docs/adding-a-decoder.md's
/// "Architecture" section states the same order.
/// </summary>
public class LayerTests
{
    /// <summary>Lowest first. Sub-namespaces (Models.Decoders, …) belong to their parent's layer.</summary>
    public static readonly string[][] Layers =
    [
        ["SegAlign.Platform"],
        ["SegAlign.Nn", "SegAlign.Config"],
        ["SegAlign.Models", "SegAlign.Data"],
        ["SegAlign.Evaluation"],
        ["SegAlign.Training"],
        ["SegAlign.Measurement"],
        ["SegAlign.Experiments"],
        ["SegAlign.Visualisation"],
        ["SegAlign.Reports"],
        ["SegAlign.Lab", "SegAlign.Display"],
        ["SegAlign.Notebooks"],
        ["SegAlign.Cli"],
    ];

    static readonly Assembly[] Assemblies = [typeof(RunConfig).Assembly, typeof(NotebookFile).Assembly, typeof(SegAlignCommand).Assembly];

    public static TheoryData<string> LayeredNamespaces() => new(Layers.SelectMany(layer => layer));

    [Theory]
    [MemberData(nameof(LayeredNamespaces))]
    public void A_namespace_uses_only_lower_layers(string ns)
    {
        int level = Array.FindIndex(Layers, layer => layer.Contains(ns));
        var forbidden = Layers.Skip(level).SelectMany(layer => layer).Where(other => other != ns).ToArray();
        var offenders = forbidden
            .Select(other => (other, types: Types.InAssemblies(Assemblies).That().ResideInNamespace(ns)
                .ShouldNot().HaveDependencyOn(other).GetResult().FailingTypeNames ?? []))
            .Where(f => f.types.Any())
            .Select(f => $"{ns} → {f.other}: {string.Join(", ", f.types.Take(5))}")
            .ToList();
        Assert.True(offenders.Count == 0,
            "dependencies against the layer order (move the type to the lower layer, or invert the call):\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_check_sees_real_dependencies()
    {
        // Guards the rules above against passing vacuously (wrong assembly, renamed namespace).
        var result = Types.InAssemblies(Assemblies).That().ResideInNamespace("SegAlign.Training").ShouldNot().HaveDependencyOn("SegAlign.Models").GetResult();
        Assert.False(result.IsSuccessful);
    }

    [Fact]
    public void The_shared_root_uses_no_layer()
    {
        var result = Types.InAssemblies(Assemblies).That().ResideInNamespaceMatching("^SegAlign$")
            .ShouldNot().HaveDependencyOnAny(Layers.SelectMany(layer => layer).ToArray()).GetResult();
        Assert.True(result.IsSuccessful, "the root namespace must stay below every layer: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Every_namespace_has_a_layer()
    {
        var known = Layers.SelectMany(layer => layer).ToList();
        var unplaced = Assemblies.SelectMany(a => a.GetTypes()).Select(t => t.Namespace).OfType<string>().Distinct()
            .Where(ns => ns != "SegAlign" && ns.StartsWith("SegAlign", StringComparison.Ordinal)
                         && !known.Any(k => ns == k || ns.StartsWith(k + ".", StringComparison.Ordinal)))
            .ToList();
        Assert.True(unplaced.Count == 0, $"namespaces without a layer (add them to {nameof(Layers)} and docs/adding-a-decoder.md): {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void The_notebook_runner_needs_only_the_platform_the_reports_and_the_kernel_display()
    {
        // It runs and reports any notebook; the experiments are the notebooks' business, reached through the Lab they load.
        var result = Types.InAssemblies([typeof(NotebookFile).Assembly]).That().ResideInNamespaceStartingWith("SegAlign.Notebooks")
            .ShouldNot().HaveDependencyOnAny("SegAlign.Experiments", "SegAlign.Training", "SegAlign.Models", "SegAlign.Lab").GetResult();
        Assert.True(result.IsSuccessful, "SegAlign.Notebooks uses the experiment layers: " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
