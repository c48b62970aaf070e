using System.Text.Json.Nodes;
using SegAlign.Display;
using SegAlign.Notebooks;

namespace SegAlign.Tests.Notebooks;

public class NotebookFormatTests
{
    static Notebook Sample()
    {
        var code = Cell.Code("var x = 1;\nConsole.WriteLine(x);", "parameters");
        code.ExecutionCount = 3;
        code.Outputs.Add(Output.Stream("stdout", "1\n2\n"));
        code.Outputs.Add(Output.Display(new JsonObject { ["text/html"] = "<b>x</b>\n<i>y</i>", ["text/plain"] = "x" }));
        code.Outputs.Add(Output.Result(new JsonObject { [MimeFormatter.PlotlyMime] = new JsonObject { ["data"] = new JsonArray(), ["layout"] = new JsonObject() } }, 3));
        code.Outputs.Add(Output.Error("InvalidOperationException", "boom", ["line 1", "line 2"]));
        return Notebook.CreateCSharp(Cell.Markdown("# Title\n\nSome *text* — ünïcode."), code);
    }

    [Fact]
    public void Saving_and_loading_round_trips_cells_outputs_and_metadata()
    {
        using var folder = new NotebookFolder();
        var original = Sample();
        string path = folder.Write("sample.ipynb", original);

        var loaded = Notebook.Load(path);

        Assert.Equal(original.Cells.Select(c => (c.Id, c.Kind, c.Source, c.ExecutionCount)), loaded.Cells.Select(c => (c.Id, c.Kind, c.Source, c.ExecutionCount)));
        var outputs = loaded.Cells[1].Outputs;
        Assert.Equal([OutputKind.Stream, OutputKind.DisplayData, OutputKind.ExecuteResult, OutputKind.Error], outputs.Select(o => o.Kind));
        Assert.Equal("1\n2\n", outputs[0].Text);
        Assert.Equal("<b>x</b>\n<i>y</i>", outputs[1].TextOf("text/html"));
        Assert.IsType<JsonObject>(outputs[2].Data![MimeFormatter.PlotlyMime]);
        Assert.Equal(["line 1", "line 2"], outputs[3].Traceback!);
        Assert.Equal(["parameters"], loaded.Cells[1].Tags);
        Assert.Equal(original.ToJson(), loaded.ToJson());
    }

    [Fact]
    public void Saved_notebooks_are_nbformat_4_5_with_the_polyglot_csharp_metadata()
    {
        var json = JsonNode.Parse(Sample().ToJson())!;

        Assert.Equal(4, json["nbformat"]!.GetValue<int>());
        Assert.Equal(5, json["nbformat_minor"]!.GetValue<int>());
        Assert.Equal(".net-csharp", json["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());
        Assert.Equal("C#", json["metadata"]!["kernelspec"]!["language"]!.GetValue<string>());
        Assert.Equal("csharp", json["metadata"]!["language_info"]!["name"]!.GetValue<string>());
        Assert.Equal("csharp", json["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]!.GetValue<string>());
        var cells = json["cells"]!.AsArray();
        Assert.All(cells, cell => Assert.Matches("^[a-zA-Z0-9-_]{1,64}$", cell!["id"]!.GetValue<string>()));
        Assert.Equal(cells.Count, cells.Select(c => c!["id"]!.GetValue<string>()).Distinct().Count());
        var code = cells[1]!;
        Assert.Equal("csharp", code["metadata"]!["polyglot_notebook"]!["kernelName"]!.GetValue<string>());
        Assert.Equal("csharp", code["metadata"]!["dotnet_interactive"]!["language"]!.GetValue<string>());
        // nbformat's multiline strings: one array element per line, each keeping its newline.
        Assert.Equal(["var x = 1;\n", "Console.WriteLine(x);"], code["source"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Null(cells[0]!["outputs"]);
    }

    [Fact]
    public void A_4_4_notebook_without_ids_gets_a_unique_id_per_cell()
    {
        const string json = """
            {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "a"},
                       {"cell_type": "code", "metadata": {}, "source": "b", "outputs": [], "execution_count": null},
                       {"cell_type": "raw", "id": "same", "metadata": {}, "source": "c"},
                       {"cell_type": "raw", "id": "same", "metadata": {}, "source": "d"}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
            """;
        var notebook = Notebook.Parse(json, "old.ipynb");

        Assert.Equal(["a", "b", "c", "d"], notebook.Cells.Select(c => c.Source));
        Assert.Equal(4, notebook.Cells.Select(c => c.Id).Distinct().Count());
        Assert.Equal(5, JsonNode.Parse(notebook.ToJson())!["nbformat_minor"]!.GetValue<int>());
    }

    [Fact]
    public void Malformed_json_is_refused_naming_the_file_and_the_line()
    {
        using var folder = new NotebookFolder();
        string path = folder.File("broken.ipynb");
        File.WriteAllText(path, "{\n \"cells\": [\n  {\"cell_type\": \"code\",, }\n ]\n}\n");

        var error = Assert.Throws<InputException>(() => Notebook.Load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("not valid JSON at line 3", error.Message);
        Assert.Contains("Fix:", error.Message);
    }

    [Fact]
    public void A_cell_with_a_value_of_the_wrong_kind_is_refused_naming_the_cell()
    {
        const string json = """{"cells": [{"cell_type": "code", "id": 7, "metadata": {}, "source": "", "outputs": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""";
        var error = Assert.Throws<InputException>(() => Notebook.Parse(json, "odd.ipynb"));
        Assert.StartsWith("odd.ipynb cell 1: is not a valid nbformat 4 cell", error.Message);
    }

    [Fact]
    public void A_notebook_that_is_not_nbformat_4_is_refused()
    {
        var error = Assert.Throws<InputException>(() => Notebook.Parse("""{"nbformat": 3, "worksheets": []}""", "ancient.ipynb"));
        Assert.Contains("ancient.ipynb: is nbformat 3", error.Message);
    }

    [Fact]
    public void A_DataFrame_shows_numbers_rounded_in_an_aligned_text_table_too()
    {
        var frame = new Microsoft.Data.Analysis.DataFrame(
            new Microsoft.Data.Analysis.StringDataFrameColumn("variant", ["fpn", "fam"]),
            new Microsoft.Data.Analysis.DoubleDataFrameColumn("mIoU", [100.0 / 3, 45.123456789]),
            new Microsoft.Data.Analysis.DoubleDataFrameColumn("MACs", [123456.789, 0.000012345]));

        var bundle = MimeFormatter.Format(frame);
        string html = bundle.Data["text/html"]!.GetValue<string>();
        string text = bundle.Data["text/plain"]!.GetValue<string>();

        Assert.Contains("<td>33.33</td>", html);
        Assert.Contains("<td>45.12</td>", html);
        Assert.Contains("<td>123457</td>", html);
        Assert.Contains("<td>1.23e-5</td>", html);
        Assert.DoesNotContain("33.333", html + text);
        var lines = text.Split('\n')[1..];
        Assert.Equal(["variant   mIoU     MACs", "fpn      33.33   123457", "fam      45.12  1.23e-5"], lines);
    }

    [Fact]
    public void A_DataFrame_table_escapes_its_content_and_shows_at_most_100_rows()
    {
        var frame = new Microsoft.Data.Analysis.DataFrame(
            new Microsoft.Data.Analysis.PrimitiveDataFrameColumn<int>("n", Enumerable.Range(0, 150)),
            new Microsoft.Data.Analysis.StringDataFrameColumn("name", Enumerable.Range(0, 150).Select(i => i == 0 ? "<script>&" : $"r{i}")));

        var bundle = MimeFormatter.Format(frame);
        string html = bundle.Data["text/html"]!.GetValue<string>();

        Assert.Contains("&lt;script&gt;&amp;", html);
        Assert.DoesNotContain("<script>", html);
        Assert.Equal(100, html.Split("<tr><td>").Length - 1); // 100 data rows, no index column
        Assert.Contains("100 of 150 rows shown", html);
        Assert.Contains("150 rows × 2 columns", bundle.Data["text/plain"]!.GetValue<string>());
    }
}
