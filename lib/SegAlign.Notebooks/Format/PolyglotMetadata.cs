using System.Text.Json.Nodes;

namespace SegAlign.Notebooks;

/// <summary>The metadata VS Code's Polyglot Notebooks (and .NET Interactive before it) writes for C# notebooks.</summary>
public static class PolyglotMetadata
{
    public const string KernelspecName = ".net-csharp";
    public const string CSharpKernel = "csharp";

    public static JsonObject CSharpNotebookMetadata() => new()
    {
        ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = KernelspecName },
        ["language_info"] = new JsonObject { ["name"] = CSharpKernel },
        ["polyglot_notebook"] = new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = CSharpKernel,
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["languageName"] = "C#", ["name"] = CSharpKernel }),
            },
        },
    };

    public static JsonObject CSharpCellMetadata() => new()
    {
        ["dotnet_interactive"] = new JsonObject { ["language"] = CSharpKernel },
        ["polyglot_notebook"] = new JsonObject { ["kernelName"] = CSharpKernel },
    };

    /// <summary>Names .NET Interactive accepts for the C# kernel (cell metadata and #! selectors).</summary>
    public static bool IsCSharpKernel(string name) => name.Equals(CSharpKernel, StringComparison.OrdinalIgnoreCase) || name.Equals("c#", StringComparison.OrdinalIgnoreCase);

    /// <summary>The notebook's default cell kernel: Polyglot's defaultKernelName, else C#.</summary>
    public static string DefaultKernel(JsonObject notebookMetadata) =>
        notebookMetadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"] is JsonValue v && v.TryGetValue(out string? name) ? name : CSharpKernel;

    /// <summary>The kernel a cell's metadata names (Polyglot's kernelName first, then .NET Interactive's language), or null.</summary>
    public static string? CellKernel(JsonObject cellMetadata)
    {
        if (cellMetadata["polyglot_notebook"]?["kernelName"] is JsonValue p && p.TryGetValue(out string? polyglot)) return polyglot;
        if (cellMetadata["dotnet_interactive"]?["language"] is JsonValue d && d.TryGetValue(out string? language)) return language;
        return null;
    }
}
