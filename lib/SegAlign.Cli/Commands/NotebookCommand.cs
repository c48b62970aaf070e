using System.CommandLine;
using SegAlign.Notebooks;

namespace SegAlign.Cli;

public static partial class Commands
{
    static Command Notebook()
    {
        var command = new Command("notebook", "Run the project's C# notebooks (.ipynb, Polyglot Notebooks format) without Jupyter or VS Code.");
        command.Add(NotebookRun());
        return command;
    }

    static Command NotebookRun()
    {
        var command = new Command("run",
            "Execute a C# notebook's code cells in order and write the executed notebook, with every cell's outputs (text, charts, " +
            "tables, images) and timings. Writes <notebook>.executed.ipynb next to the input unless -o is given. The executed notebook " +
            "is written only when every cell succeeded (atomically: a failed run never replaces a good one); on the first failing cell " +
            "the run stops, exits with 1 and writes the partial run to <output>.failed.ipynb. Cells run with the notebook's folder as " +
            "working directory; `#r \"nuget: …\"` must name a project package at the project's version (Directory.Packages.props).");
        var notebook = new Argument<FileInfo>("notebook") { Description = "The .ipynb notebook to run." };
        var parameters = new Option<string[]>("--parameter", "-p")
        {
            Description = "Set a parameter declared in the cell tagged \"parameters\": name=value, typed like its declaration " +
                          "(string, int, long, double, bool). Repeatable. The values go into a cell tagged \"injected-parameters\" after it.",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Where to write the executed notebook (default: <notebook>.executed.ipynb next to it)." };
        var logOutput = new Option<bool>("--log-output") { Description = "Also print what the cells print, as they print it." };
        command.Add(notebook);
        foreach (var option in new Option[] { parameters, output, logOutput }) command.Add(option);

        command.SetAction(parse => SegAlignCommand.Guard(() =>
        {
            var input = parse.GetValue(notebook)!;
            var outcome = NotebookFile.Run(new NotebookRunRequest
            {
                NotebookPath = input.FullName,
                OutputPath = parse.GetValue(output)?.FullName,
                Parameters = parse.GetValue(parameters) ?? [],
                Log = Console.Out,
                Echo = parse.GetValue(logOutput) ? Console.Out : null,
            });
            if (outcome.Succeeded)
            {
                Console.WriteLine(outcome.Describe());
                return 0;
            }
            Console.Error.WriteLine($"error: {outcome.Describe()}");
            // A cell that failed on bad input (an unknown preset passed with -p, a missing dataset) is the user's to fix: exit 2, as everywhere.
            return outcome.Execution.Failure!.BadInput ? 2 : 1;
        }));
        return command;
    }
}
