using System.Text.Json.Nodes;
using SegAlign.Notebooks;

namespace SegAlign.Tests.Notebooks;

/// <summary>Notebooks refused before any cell runs: each error names the cell (or file) and says how to fix it.</summary>
public sealed class NotebookPreflightTests : IDisposable
{
    readonly NotebookFolder folder = new();

    public void Dispose() => folder.Dispose();

    static Cell Parameters() => Cell.Code("var preset = \"smoke\";\nvar seeds = 3;\nvar rate = 0.5;\nvar rerun = false;", NotebookParameters.ParametersTag);

    [Fact]
    public void A_cell_in_another_kernel_is_refused_naming_the_cell_and_its_kernel()
    {
        var fsharp = new Cell(CellKind.Code, "let x = 1\nprintfn \"%d\" x", new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "fsharp" } });
        string path = folder.Write("mixed.ipynb", Cell.Markdown("# Mixed"), Cell.Code("var a = 1;"), fsharp);

        string message = NotebookFolder.Refusal(path);

        Assert.StartsWith("mixed.ipynb cell 3 (“let x = 1”): is a fsharp cell", message);
        Assert.Contains("kernelName = \"csharp\"", message);
    }

    [Fact]
    public void A_kernel_selector_line_for_another_language_is_refused()
    {
        string path = folder.Write("pwsh.ipynb", Cell.Code("#!pwsh\nGet-ChildItem"));
        Assert.StartsWith("pwsh.ipynb cell 1 (“#!pwsh”): is a pwsh cell", NotebookFolder.Refusal(path));
    }

    [Fact]
    public void A_notebook_for_another_kernel_is_refused()
    {
        var python = new Notebook(new JsonObject { ["kernelspec"] = new JsonObject { ["name"] = "python3", ["display_name"] = "Python 3" } });
        python.Cells.Add(Cell.Code("print(1)"));
        string path = folder.Write("python.ipynb", python);

        string message = NotebookFolder.Refusal(path);

        Assert.StartsWith("python.ipynb: is a notebook for the kernel 'python3' (Python 3)", message);
        Assert.Contains(".net-csharp", message);
    }

    [Theory]
    [InlineData("#!lsmagic", "uses the magic command #!lsmagic")]
    [InlineData("#!frobnicate --fast", "has the unknown magic command #!frobnicate")]
    public void Magic_commands_the_hosted_kernel_lacks_are_refused(string magic, string problem)
    {
        string path = folder.Write("magic.ipynb", Cell.Code("var a = 1;"), Cell.Code($"#!csharp\nvar b = 2;\n{magic}"));

        string message = NotebookFolder.Refusal(path);

        Assert.StartsWith($"magic.ipynb cell 2 (“#!csharp”): {problem}", message);
        Assert.Contains("#!time", message);
    }

    [Fact]
    public void A_reference_to_a_missing_dll_says_how_to_build_it()
    {
        string path = folder.Write("missing.ipynb", Cell.Code("#r \"../lib/SegAlign/bin/Release/net10.0/SegAlign.dll\"\nusing SegAlign;"));

        string message = NotebookFolder.Refusal(path);

        Assert.StartsWith("missing.ipynb cell 1 (“#r \"../lib/SegAlign/bin/Release/net10.0/SegAlign.dll\"”): references", message);
        Assert.Contains("does not exist", message);
        Assert.Contains("dotnet build -c Release", message);
    }

    [Fact]
    public void A_package_reference_without_a_name_is_refused()
    {
        string path = folder.Write("nameless.ipynb", Cell.Code("var a = 1;"), Cell.Code("#r \"nuget: , 6.0.0\""));

        string message = NotebookFolder.Refusal(path);

        Assert.StartsWith("nameless.ipynb cell 2", message);
        Assert.Contains("without a package name", message);
    }

    [Fact]
    public void An_unknown_parameter_is_refused_listing_the_declared_ones()
    {
        string path = folder.Write("params.ipynb", Parameters(), Cell.Code("Console.WriteLine(preset);"));

        string message = NotebookFolder.Refusal(path, "presett=full");

        Assert.StartsWith("-p presett: params.ipynb declares no parameter 'presett'", message);
        Assert.Contains("preset (string), seeds (int), rate (double), rerun (bool)", message);
    }

    [Theory]
    [InlineData("seeds=three", "-p seeds=three: 'three' is not a valid int")]
    [InlineData("rate=0,5", "-p rate=0,5: '0,5' is not a valid double")]
    [InlineData("rerun=yes", "-p rerun=yes: 'yes' is not a valid bool")]
    [InlineData("seeds", "-p seeds: is not name=value")]
    public void A_value_that_does_not_parse_as_the_declared_type_is_refused(string assignment, string expected)
    {
        string path = folder.Write("params.ipynb", Parameters());
        Assert.StartsWith(expected, NotebookFolder.Refusal(path, assignment));
    }

    [Fact]
    public void Parameters_without_a_parameters_cell_are_refused()
    {
        string path = folder.Write("plain.ipynb", Cell.Code("var preset = \"smoke\";"));
        Assert.Contains("has no cell tagged \"parameters\"", NotebookFolder.Refusal(path, "preset=full"));
    }

    [Fact]
    public void Parameter_types_come_from_the_declaration_or_the_literal()
    {
        var declared = NotebookParameters.Declared("""
            var preset = "smoke";
            int seeds = 3;
            var rate = -0.5;
            var steps = 10L;
            bool rerun = false;
            string? note = null;
            var folder = Path.GetTempPath();
            const int Classes = 10;
            """);

        Assert.Equal(
            [("preset", ParameterType.String), ("seeds", ParameterType.Int), ("rate", ParameterType.Double), ("steps", ParameterType.Long),
             ("rerun", ParameterType.Bool), ("note", ParameterType.String), ("folder", (ParameterType?)null), ("Classes", null)],
            declared.Select(d => (d.Name, d.Type)));
    }
}
