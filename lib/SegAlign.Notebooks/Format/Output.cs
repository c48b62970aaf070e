using System.Text.Json.Nodes;

namespace SegAlign.Notebooks;

public enum OutputKind { Stream, DisplayData, ExecuteResult, Error }

/// <summary>
/// One nbformat 4 output of a code cell. Text is held as one string (nbformat's line arrays are joined on load
/// and split again on save); <see cref="Data"/> is the mime bundle of display_data and execute_result.
/// </summary>
public sealed class Output
{
    public OutputKind Kind { get; }

    /// <summary>stdout or stderr (stream outputs).</summary>
    public string? StreamName { get; }

    /// <summary>The stream's text; appended to while a cell runs.</summary>
    public string? Text { get; internal set; }

    /// <summary>Mime type → value: a string for text and base64 images, JSON for application/json and *+json types.</summary>
    public JsonObject? Data { get; }

    public JsonObject Metadata { get; }
    public int? ExecutionCount { get; }
    public string? ErrorName { get; }
    public string? ErrorValue { get; }
    public IReadOnlyList<string>? Traceback { get; }

    Output(OutputKind kind, string? streamName = null, string? text = null, JsonObject? data = null, JsonObject? metadata = null,
           int? executionCount = null, string? errorName = null, string? errorValue = null, IReadOnlyList<string>? traceback = null)
    {
        Kind = kind;
        StreamName = streamName;
        Text = text;
        Data = data;
        Metadata = metadata ?? [];
        ExecutionCount = executionCount;
        ErrorName = errorName;
        ErrorValue = errorValue;
        Traceback = traceback;
    }

    public static Output Stream(string name, string text) => new(OutputKind.Stream, streamName: name, text: text);

    public static Output Display(JsonObject data, JsonObject? metadata = null) => new(OutputKind.DisplayData, data: data, metadata: metadata);

    public static Output Result(JsonObject data, int executionCount, JsonObject? metadata = null) =>
        new(OutputKind.ExecuteResult, data: data, metadata: metadata, executionCount: executionCount);

    public static Output Error(string name, string value, IReadOnlyList<string> traceback) =>
        new(OutputKind.Error, errorName: name, errorValue: value, traceback: traceback);

    /// <summary>The text of one mime type, or null when the bundle has none.</summary>
    public string? TextOf(string mimeType) => Data?[mimeType] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    internal JsonObject ToJson()
    {
        var json = new JsonObject();
        switch (Kind)
        {
            case OutputKind.Stream:
                json["name"] = StreamName;
                json["output_type"] = "stream";
                json["text"] = NbText.ToLines(Text ?? "");
                break;
            case OutputKind.DisplayData:
            case OutputKind.ExecuteResult:
                json["data"] = DataToJson(Data!);
                if (Kind == OutputKind.ExecuteResult) json["execution_count"] = ExecutionCount;
                json["metadata"] = Metadata.DeepClone();
                json["output_type"] = Kind == OutputKind.ExecuteResult ? "execute_result" : "display_data";
                break;
            case OutputKind.Error:
                json["ename"] = ErrorName;
                json["evalue"] = ErrorValue;
                json["output_type"] = "error";
                json["traceback"] = new JsonArray([.. Traceback!.Select(line => (JsonNode?)JsonValue.Create(line))]);
                break;
        }
        return json;
    }

    internal static Output FromJson(JsonObject json, string where)
    {
        string type = NbText.RequiredString(json, "output_type", where);
        return type switch
        {
            "stream" => Stream(NbText.RequiredString(json, "name", where), NbText.JoinLines(json["text"])),
            "display_data" => Display(DataFromJson(json["data"]), json["metadata"] as JsonObject is { } m ? (JsonObject)m.DeepClone() : null),
            "execute_result" => Result(DataFromJson(json["data"]), json["execution_count"]?.GetValue<int>() ?? 0,
                                       json["metadata"] as JsonObject is { } m ? (JsonObject)m.DeepClone() : null),
            "error" => Error(json["ename"]?.GetValue<string>() ?? "", json["evalue"]?.GetValue<string>() ?? "",
                             (json["traceback"] as JsonArray)?.Select(line => line?.GetValue<string>() ?? "").ToArray() ?? []),
            _ => throw new InputException(where, $"has an output of unknown type '{type}'", "use stream, display_data, execute_result or error"),
        };
    }

    // JSON mime types hold JSON; every other mime type holds text, which nbformat may split into lines.
    static bool IsJsonMime(string mime) => mime == "application/json" || mime.EndsWith("+json", StringComparison.Ordinal);

    static JsonObject DataFromJson(JsonNode? data)
    {
        var bundle = new JsonObject();
        if (data is JsonObject o)
            foreach (var (mime, value) in o)
                bundle[mime] = IsJsonMime(mime) ? value?.DeepClone() : NbText.JoinLines(value);
        return bundle;
    }

    static JsonObject DataToJson(JsonObject data)
    {
        var bundle = new JsonObject();
        foreach (var (mime, value) in data)
            bundle[mime] = !IsJsonMime(mime) && mime.StartsWith("text/", StringComparison.Ordinal) && value is JsonValue v && v.TryGetValue(out string? text)
                ? NbText.ToLines(text)
                : value?.DeepClone();
        return bundle;
    }
}
