using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;
using SegAlign.Display;

namespace SegAlign.Notebooks;

/// <summary>What one submitted cell did: its outputs in order, and the failure that stopped it, if any.</summary>
sealed record CellResult(IReadOnlyList<Output> Outputs, KernelFailure? Failure);

/// <summary>Why a cell failed: a compilation error (with its diagnostics), an exception the cell threw, or the kernel's
/// own refusal (a directive it could not carry out, e.g. a package that does not restore).</summary>
sealed record KernelFailure(string ErrorName, string Message, IReadOnlyList<string> Details, Exception? Exception)
{
    public const string CompilationError = "CompilationError";
    public bool IsCompilationError => ErrorName == CompilationError;
}

/// <summary>
/// .NET Interactive's C# kernel hosted in this process, wired as the stock tool wires it for a notebook: a
/// <see cref="CompositeKernel"/> whose default is a <see cref="CSharpKernel"/> with the kernel helpers (display(),
/// HTML()), value sharing (#!set, #!share), #!who / #!whos and #r "nuget:" / #i from .PackageManagement. Cells see the same
/// formatters as in VS Code and Jupyter, because SegAlign registers them with the same Formatter.
/// </summary>
sealed class KernelSession : IDisposable
{
    readonly CompositeKernel root;

    public KernelSession()
    {
        var csharp = new CSharpKernel()
            .UseNugetDirective((kernel, packages) =>
            {
                kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
                return Task.CompletedTask;
            }, forceRestore: false)
            .UseKernelHelpers()
            .UseValueSharing()
            .UseWho();
        root = new CompositeKernel { csharp };
        root.DefaultKernelName = csharp.Name;
        // In the stock kernel SegAlign's module initializer registers these when a notebook's #r loads it; here SegAlign
        // was loaded before the Formatter was, so the host registers them (same formatters, same MIME bundles).
        KernelFormatters.Register();
    }

    /// <summary>Runs <paramref name="code"/> as one submission; <paramref name="echo"/> sees what it prints as it prints it.</summary>
    public async Task<CellResult> SubmitAsync(string code, int executionCount, TextWriter? echo)
    {
        var outputs = new CellOutputs(echo);
        var command = new SubmitCode(code);
        DiagnosticsProduced? diagnostics = null;
        using var subscription = root.KernelEvents.Subscribe(new EventObserver(e =>
        {
            switch (e)
            {
                case StandardOutputValueProduced stdout: outputs.Write("stdout", PlainText(stdout)); break;
                case StandardErrorValueProduced stderr: outputs.Write("stderr", PlainText(stderr)); break;
                case ReturnValueProduced result: outputs.Add(Output.Result(Bundle(result.FormattedValues), executionCount)); break;
                case DisplayedValueProduced shown: outputs.Add(Output.Display(Bundle(shown.FormattedValues)), shown.ValueId); break;
                case DisplayedValueUpdated updated: outputs.Update(updated.ValueId, Output.Display(Bundle(updated.FormattedValues))); break;
                case DiagnosticsProduced produced: diagnostics = produced; break;
            }
        }));
        var result = await root.SendAsync(command).ConfigureAwait(false);
        var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
        return new CellResult(outputs.ToOutputs(), failed is null ? null : Describe(failed, diagnostics));
    }

    static KernelFailure Describe(CommandFailed failed, DiagnosticsProduced? diagnostics)
    {
        var errors = diagnostics?.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
            .Select(d => $"line {d.LinePositionSpan.Start.Line + 1}, column {d.LinePositionSpan.Start.Character + 1}: error {d.Code}: {d.Message}")
            .ToArray() ?? [];
        if (failed.Exception is { } exception && errors.Length == 0)
            return new KernelFailure(exception.GetType().Name, exception.Message, Traceback(exception), exception);
        return errors.Length > 0
            ? new KernelFailure(KernelFailure.CompilationError, string.Join("; ", errors), errors, null)
            : new KernelFailure("Error", failed.Message, [failed.Message], null);
    }

    /// <summary>The exception's text without the kernel's and the scripting engine's frames, which say nothing about the cell.</summary>
    static string[] Traceback(Exception e) =>
        [.. e.ToString().Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => !line.TrimStart().StartsWith("at Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal)
                           && !line.TrimStart().StartsWith("at Microsoft.DotNet.Interactive", StringComparison.Ordinal)
                           && !line.TrimStart().StartsWith("at SegAlign.Notebooks.", StringComparison.Ordinal)
                           && !line.StartsWith("--- End of stack trace from previous location", StringComparison.Ordinal))];

    static string PlainText(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? e.Value?.ToString() ?? "";

    /// <summary>The event's formatted values as an nbformat bundle: JSON MIME types as JSON (Plotly's figure is an object, as
    /// Jupyter stores it), every other type as its text.</summary>
    static JsonObject Bundle(IEnumerable<FormattedValue> values)
    {
        var bundle = new JsonObject();
        foreach (var value in values)
            bundle[value.MimeType] = IsJson(value.MimeType) && TryParse(value.Value) is { } json ? json : JsonValue.Create(value.Value);
        return bundle;
    }

    static bool IsJson(string mime) => mime == "application/json" || mime.EndsWith("+json", StringComparison.Ordinal);

    static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => root.Dispose();

    sealed class EventObserver(Action<KernelEvent> onNext) : IObserver<KernelEvent>
    {
        public void OnNext(KernelEvent value) => onNext(value);
        public void OnError(Exception error) { }
        public void OnCompleted() { }
    }
}
