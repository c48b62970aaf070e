namespace SegAlign.Reports;

/// <summary>
/// The plotly.js bundle reports inline so they open offline: the cartesian build (scatter, bar, heatmap — every trace a
/// report draws) embedded from Reports/Assets, 1.3 MB where the full build Plotly.NET ships is 3.6 MB.
/// </summary>
public static class PlotlyJs
{
    const string Prefix = "SegAlign.Reports.plotly-cartesian-";

    static readonly Lazy<(string Version, string Source)> script = new(Load);

    /// <summary>The minified library, checked to be safe inside a &lt;script&gt; element.</summary>
    public static string Source => script.Value.Source;

    public static string Version => script.Value.Version;

    /// <summary>The trace types the bundle draws; a figure with any other cannot be shown in a report.</summary>
    public static readonly IReadOnlySet<string> Traces = new HashSet<string>(StringComparer.Ordinal)
        { "scatter", "bar", "heatmap", "box", "histogram", "histogram2d", "histogram2dcontour", "contour", "image", "pie", "violin" };

    static (string, string) Load()
    {
        var assembly = typeof(PlotlyJs).Assembly;
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal)).ToList();
        if (names.Count != 1)
            throw new InvalidOperationException($"SegAlign embeds {names.Count} plotly.js bundles ({string.Join(", ", names)}), expected one in lib/SegAlign/Reports/Assets");
        using var stream = assembly.GetManifestResourceStream(names[0])!;
        string source = new StreamReader(stream).ReadToEnd();
        // Inlined as-is, so the text must not end the script element early or open an HTML comment inside it.
        if (source.Contains("</script", StringComparison.OrdinalIgnoreCase) || source.Contains("<!--", StringComparison.Ordinal))
            throw new InvalidOperationException($"{names[0]} contains \"</script\" or \"<!--\" and cannot be inlined verbatim");
        return (names[0][Prefix.Length..^".min.js".Length], source);
    }
}
