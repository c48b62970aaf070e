using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegAlign.Notebooks;

/// <summary>
/// A Jupyter notebook (nbformat 4) as Polyglot Notebooks writes it for C#. Loads 4.x, saves 4.5:
/// every cell gets a unique id, keys are sorted and indented by one space as Jupyter does. (Not through
/// Microsoft.DotNet.Interactive.Documents 1.0.0-beta.26120.1: its Jupyter writer throws "Expected IEnumerable&lt;string&gt;"
/// on a display whose MIME value is a JSON object — every executed notebook here has Plotly figures as objects.)
/// </summary>
public sealed class Notebook
{
    public JsonObject Metadata { get; }
    public List<Cell> Cells { get; } = [];

    public Notebook(JsonObject? metadata = null) => Metadata = metadata ?? PolyglotMetadata.CSharpNotebookMetadata();

    /// <summary>An empty C# notebook with the Polyglot metadata.</summary>
    public static Notebook CreateCSharp(params Cell[] cells)
    {
        var notebook = new Notebook();
        notebook.Cells.AddRange(cells);
        return notebook;
    }

    public static Notebook Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, $"cannot be read ({e.Message})", "pass an existing .ipynb file");
        }
        return Parse(text, path);
    }

    /// <summary>Parses notebook JSON; <paramref name="where"/> names it in errors (usually the file path).</summary>
    public static Notebook Parse(string json, string where)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            string reason = e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].Trim();
            string at = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            throw new InputException(where, $"is not valid JSON{at} ({reason})", "fix the JSON there, or restore the notebook from git");
        }
        if (root is not JsonObject document)
            throw new InputException(where, "is not a notebook (the JSON is not an object)", "pass a Jupyter .ipynb file");
        int major = document["nbformat"] is JsonValue v && v.TryGetValue(out int n) ? n : 0;
        if (major != 4)
            throw new InputException(where, $"is nbformat {major}, not 4", "convert it with `jupyter nbconvert --to notebook`, or re-save it in VS Code");
        if (document["cells"] is not JsonArray cells)
            throw new InputException(where, "has no \"cells\" array", "the notebook is not valid nbformat 4; re-save it from VS Code or JupyterLab");

        var notebook = new Notebook(document["metadata"] as JsonObject is { } m ? (JsonObject)m.DeepClone() : []);
        for (int i = 0; i < cells.Count; i++)
        {
            string cellWhere = $"{where} cell {i + 1}";
            try
            {
                notebook.Cells.Add(Cell.FromJson(cells[i] as JsonObject ?? throw new InputException(cellWhere, "is not a JSON object", "re-save the notebook"), cellWhere));
            }
            // Valid JSON with a value of the wrong kind (a number where nbformat has a string, …).
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InputException(cellWhere, $"is not a valid nbformat 4 cell ({e.Message})", "re-save the notebook from VS Code or JupyterLab, or fix the cell's JSON");
            }
        }
        notebook.EnsureUniqueIds();
        return notebook;
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public string ToJson()
    {
        EnsureUniqueIds();
        var document = new JsonObject
        {
            ["cells"] = new JsonArray([.. Cells.Select(c => (JsonNode)c.ToJson())]),
            ["metadata"] = Metadata.DeepClone(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return NbText.Sorted(document)!.ToJsonString(WriteOptions) + "\n";
    }

    static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        // Non-ASCII text (×, →, accents) stays readable in diffs, as Jupyter writes it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>nbformat 4.5 requires an id per cell, unique in the notebook; older notebooks have none.</summary>
    void EnsureUniqueIds()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in Cells)
            while (!Cell.IsValidId(cell.Id) || !seen.Add(cell.Id))
                cell.Id = Cell.NewId();
    }

    /// <summary>"cell 3 (“var x = 1;”)": 1-based over all cells, as a reader counts them from the top.</summary>
    public string Describe(int cellIndex) => $"cell {cellIndex + 1} (“{Cells[cellIndex].FirstLine}”)";
}
