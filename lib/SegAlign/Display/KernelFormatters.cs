using System.Runtime.CompilerServices;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;
using SegAlign.Visualisation;

namespace SegAlign.Display;

/// <summary>
/// Registers <see cref="MimeFormatter"/>'s bundles with .NET Interactive's formatter, so the stock kernel (VS Code,
/// Jupyter) shows SegAlign's values with the same MIME types as `segalign notebook run` and the reports: PNG images,
/// Markdown, Plotly figures (JSON), DataFrames (rounded tables). The Formatting assembly is the kernel's own; it is
/// touched only when the kernel has loaded it.
/// </summary>
public static class KernelFormatters
{
    const string FormattingAssembly = "Microsoft.DotNet.Interactive.Formatting";

    /// <summary>The types shown specially, each with its MIME types in order of preference.</summary>
    static readonly (Type Type, string[] Mimes)[] Shown =
    [
        (typeof(PngImage), ["image/png", "text/plain"]),
        (typeof(Markdown), ["text/markdown", "text/plain"]),
        (typeof(GenericChart), [MimeFormatter.PlotlyMime, "text/html", "text/plain"]),
        (typeof(DataFrame), ["text/html", "text/plain"]),
        // Shape, type and values, not the kernel's table of a tensor's properties.
        (typeof(TorchSharp.torch.Tensor), ["text/plain"]),
    ];

    // A value is formatted once per MIME type; its bundle is computed once.
    static readonly ConditionalWeakTable<object, MimeBundle> bundles = new();

    internal static bool InKernel => AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == FormattingAssembly);

    /// <summary>Registers the formatters with the process's .NET Interactive Formatter (which must be loadable). A kernel
    /// that loads SegAlign by #r gets this from the module initializer; a host that already had SegAlign calls it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Register()
    {
        foreach (var (type, mimes) in Shown)
        {
            foreach (var mime in mimes)
                Formatter.Register(type, (value, writer) => writer.Write(TextOf(value, mime)), mime);
            Formatter.SetPreferredMimeTypesFor(type, mimes);
        }
    }

    /// <summary>What the kernel writes for <paramref name="mime"/>: a string as is, JSON (Plotly) as its text.</summary>
    internal static string TextOf(object value, string mime)
    {
        var data = bundles.GetValue(value, MimeFormatter.Format).Data[mime];
        return data is System.Text.Json.Nodes.JsonValue text && text.TryGetValue(out string? s) ? s : data?.ToJsonString() ?? "";
    }
}
