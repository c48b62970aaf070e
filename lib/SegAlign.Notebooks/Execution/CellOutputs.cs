using System.Text;

namespace SegAlign.Notebooks;

/// <summary>
/// What one running cell produces, in order: console text (consecutive writes to one stream merge into one
/// stream output) interleaved with displayed values. Thread-safe: the kernel reports from whichever thread printed.
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

    readonly Dictionary<string, int> displayed = [];

    /// <summary><paramref name="valueId"/>: the kernel's id of a display that may be updated later (null: none).</summary>
    public void Add(Output output, string? valueId = null)
    {
        lock (gate)
        {
            if (valueId is not null) displayed[valueId] = entries.Count;
            entries.Add((null, null, output));
        }
    }

    /// <summary>Replaces a display in place, as Jupyter does on update_display_data (e.g. "Installing Packages" → "Installed").</summary>
    public void Update(string valueId, Output output)
    {
        lock (gate)
        {
            if (displayed.TryGetValue(valueId, out int index)) entries[index] = (null, null, output);
            else Add(output, valueId);
        }
    }

    public IReadOnlyList<Output> ToOutputs()
    {
        lock (gate) return [.. entries.Select(e => e.Output ?? Output.Stream(e.Stream!, e.Text!.ToString()))];
    }
}
