using System.Text;
using SegAlign.Display;

namespace SegAlign.Notebooks;

/// <summary>
/// What one running cell produces, in order: console text (consecutive writes to one stream merge into one
/// stream output) interleaved with displayed values. Thread-safe: background work may print too.
/// </summary>
sealed class CellOutputs(TextWriter? echo)
{
    readonly object gate = new();
    readonly List<(string? Stream, StringBuilder? Text, Output? Output)> entries = [];

    public void Write(string stream, string text)
    {
        if (text.Length == 0) return;
        lock (gate)
        {
            if (entries.Count > 0 && entries[^1].Stream == stream) entries[^1].Text!.Append(text);
            else entries.Add((stream, new StringBuilder(text), null));
            echo?.Write(text);
        }
    }

    public void Add(Output output)
    {
        lock (gate) entries.Add((null, null, output));
    }

    public IReadOnlyList<Output> ToOutputs()
    {
        lock (gate) return [.. entries.Select(e => e.Output ?? Output.Stream(e.Stream!, e.Text!.ToString()))];
    }
}

/// <summary>Console.Out / Console.Error while a cell runs.</summary>
sealed class CellConsoleWriter(CellOutputs outputs, string stream) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;
    public override void Write(char value) => outputs.Write(stream, value.ToString());
    public override void Write(string? value) => outputs.Write(stream, value ?? "");
    public override void Write(char[] buffer, int index, int count) => outputs.Write(stream, new string(buffer, index, count));
}

/// <summary>
/// The globals every cell sees. `display(value)` shows a value where it is called, as .NET Interactive's did;
/// a cell's trailing expression (no semicolon) is shown as its result.
/// </summary>
public class NotebookGlobals
{
    internal CellOutputs? Current { get; set; }

    /// <summary>Shows <paramref name="value"/> in the cell's outputs: a chart, DataFrame, PngImage or text.</summary>
    // Lower case: the name notebooks already use (.NET Interactive's `display`).
    public void display(object? value)
    {
        var outputs = Current ?? throw new InvalidOperationException("display() was called while no cell was running (from a background task that outlived its cell?)");
        var bundle = MimeFormatter.Format(value);
        outputs.Add(Output.Display(bundle.Data, bundle.Metadata));
    }
}
