using System.Text.Json.Nodes;

namespace SegAlign.Notebooks;

public enum CellKind { Code, Markdown, Raw }

/// <summary>One nbformat 4.5 cell. Metadata is kept as JSON so that what other tools wrote survives a round trip.</summary>
public sealed class Cell
{
    public string Id { get; set; }
    public CellKind Kind { get; }
    public string Source { get; set; }
    public JsonObject Metadata { get; }
    public List<Output> Outputs { get; } = [];
    public int? ExecutionCount { get; set; }

    /// <summary>Images pasted into markdown cells, kept as written.</summary>
    public JsonObject? Attachments { get; set; }

    public Cell(CellKind kind, string source, JsonObject? metadata = null, string? id = null)
    {
        Kind = kind;
        Source = source;
        Metadata = metadata ?? [];
        Id = id ?? NewId();
    }

    /// <summary>A C# code cell with the Polyglot kernel metadata VS Code writes.</summary>
    public static Cell Code(string source, params string[] tags)
    {
        var cell = new Cell(CellKind.Code, source, PolyglotMetadata.CSharpCellMetadata());
        foreach (var tag in tags) cell.AddTag(tag);
        return cell;
    }

    public static Cell Markdown(string source) => new(CellKind.Markdown, source);

    public IReadOnlyList<string> Tags =>
        Metadata["tags"] is JsonArray tags ? [.. tags.Select(t => t?.GetValue<string>() ?? "")] : [];

    public bool HasTag(string tag) => Tags.Contains(tag, StringComparer.Ordinal);

    public void AddTag(string tag)
    {
        if (HasTag(tag)) return;
        if (Metadata["tags"] is not JsonArray tags) Metadata["tags"] = tags = [];
        tags.Add(tag);
    }

    /// <summary>The first non-blank line, shortened: how messages name the cell.</summary>
    public string FirstLine => NbText.FirstLine(Source);

    // nbformat 4.5 ids: 1–64 characters of [a-zA-Z0-9-_].
    internal static string NewId() => Guid.NewGuid().ToString("N")[..12];

    internal static bool IsValidId(string id) =>
        id.Length is >= 1 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    internal JsonObject ToJson()
    {
        var json = new JsonObject();
        if (Attachments is not null) json["attachments"] = Attachments.DeepClone();
        json["cell_type"] = Kind switch { CellKind.Code => "code", CellKind.Markdown => "markdown", _ => "raw" };
        if (Kind == CellKind.Code) json["execution_count"] = ExecutionCount;
        json["id"] = Id;
        json["metadata"] = Metadata.DeepClone();
        if (Kind == CellKind.Code) json["outputs"] = new JsonArray([.. Outputs.Select(o => (JsonNode)o.ToJson())]);
        json["source"] = NbText.ToLines(Source);
        return json;
    }

    internal static Cell FromJson(JsonObject json, string where)
    {
        var kind = NbText.RequiredString(json, "cell_type", where) switch
        {
            "code" => CellKind.Code,
            "markdown" => CellKind.Markdown,
            "raw" => CellKind.Raw,
            var other => throw new InputException(where, $"has unknown cell_type '{other}'", "use code, markdown or raw"),
        };
        var metadata = json["metadata"] as JsonObject is { } m ? (JsonObject)m.DeepClone() : null;
        var cell = new Cell(kind, NbText.JoinLines(json["source"]), metadata, json["id"]?.GetValue<string>())
        {
            ExecutionCount = kind == CellKind.Code ? json["execution_count"]?.GetValue<int?>() : null,
            Attachments = json["attachments"] as JsonObject is { } a ? (JsonObject)a.DeepClone() : null,
        };
        if (json["outputs"] is JsonArray outputs)
            foreach (var (output, i) in outputs.Select((o, i) => (o, i)))
                cell.Outputs.Add(Output.FromJson(output as JsonObject ?? throw new InputException($"{where} output {i + 1}", "is not a JSON object", "re-save the notebook"), $"{where} output {i + 1}"));
        return cell;
    }
}
