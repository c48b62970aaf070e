using System.CommandLine;
using SegAlign.Experiments;
using SegAlign.Notebooks;
using SegAlign.Reports;

namespace SegAlign.Cli;

public static partial class Commands
{
    static Command Report()
    {
        var command = new Command("report",
            "Write one self-contained HTML page (opens offline: plotly.js, styles and images are inside it) for an experiment's results " +
            "or an executed notebook. Experiment: the paper-style table, claims vs ours, per-seed, cost and per-class charts, every run and " +
            "the environment, from results/<preset>/ → results/<preset>/<experiment>/report.html. Notebook (.ipynb, executed): its text, " +
            "outputs and charts → <name>.html next to it. Folder: every executed notebook in it. The page is written atomically, and not at all on bad input.");
        var target = new Argument<string>("experiment-or-notebook") { Description = "An experiment (sfnet, alignseg, ifa, hfgd, rsp, overview), `claims` (the cross-paper page of every claim with its forest plot), an executed .ipynb notebook, or a folder of them." };
        var preset = OptionChecks.PresetOption("Experiments: whose results to report.", "quick");
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the page (a folder when reporting a folder of notebooks)." };
        var set = new Option<string[]>("--set") { Description = "Experiments: the config overrides the runs were made with (path=value, as given to `ablation run`)." };
        var results = new Option<string?>("--results") { Description = "Experiments: the results folder (default: results/ of the repository)." };
        command.Add(target);
        foreach (var option in new Option[] { preset, output, set, results }) command.Add(option);

        command.SetAction(p => SegAlignCommand.Guard(() =>
        {
            string what = p.GetValue(target)!;
            string? outputPath = p.GetValue(output);
            if (Directory.Exists(what))
            {
                foreach (var (notebook, report) in NotebookReport.WriteFolder(what, outputPath)) Console.WriteLine($"{notebook} → {report}");
                return 0;
            }
            if (what.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase) || File.Exists(what))
            {
                if (!what.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase))
                    throw new InputException(what, "is a file but not a notebook (.ipynb)", "pass an executed .ipynb notebook, a folder of them, or an experiment name");
                Console.WriteLine($"wrote {NotebookReport.Write(what, outputPath)}");
                return 0;
            }
            string presetName = OptionChecks.Preset(p.GetValue(preset)!);
            var store = ResultsStore.ForPreset(presetName, p.GetValue(results));
            var overrides = ConfigOverrides.Parse(p.GetValue(set) ?? []);
            Console.WriteLine(what == ClaimsReport.Name
                ? $"wrote {ClaimsReport.Write(presetName, store, outputPath)}"
                : $"wrote {ExperimentReport.Write(what, presetName, store, outputPath, overrides)}");
            return 0;
        }));
        return command;
    }
}
