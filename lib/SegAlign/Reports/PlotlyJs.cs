using System.Reflection;

namespace SegAlign.Reports;

/// <summary>
/// plotly.js as Plotly.NET ships it (an embedded resource of Plotly.NET.dll, the version its charts are written for),
/// so reports inline the library instead of pointing at a CDN and open offline.
/// </summary>
public static class PlotlyJs
{
    static readonly Lazy<(string Version, string Source)> script = new(Load);

    /// <summary>The minified library, checked to be safe inside a &lt;script&gt; element.</summary>
    public static string Source => script.Value.Source;

    public static string Version => script.Value.Version;

    static (string, string) Load()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        // "Plotly.NET.plotly-2.28.0.min.js" (and its .LICENSE.txt, which is not the library).
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal)).ToList();
        if (names.Count != 1)
            throw new InvalidOperationException($"Plotly.NET {assembly.GetName().Version} embeds {names.Count} plotly.js builds ({string.Join(", ", names)}), expected one; update PlotlyJs for this Plotly.NET version");
        using var stream = assembly.GetManifestResourceStream(names[0])!;
        string source = new StreamReader(stream).ReadToEnd();
        // Inlined as-is, so the text must not end the script element early or open an HTML comment inside it.
        if (source.Contains("</script", StringComparison.OrdinalIgnoreCase) || source.Contains("<!--", StringComparison.Ordinal))
            throw new InvalidOperationException($"{names[0]} contains \"</script\" or \"<!--\" and cannot be inlined verbatim");
        string version = names[0]["Plotly.NET.plotly-".Length..^".min.js".Length];
        return (version, source);
    }
}
