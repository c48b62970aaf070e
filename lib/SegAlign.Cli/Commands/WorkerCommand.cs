using System.CommandLine;
using SegAlign.Experiments;

namespace SegAlign.Cli;

public static partial class Commands
{
    /// <summary>Exposes the library's worker entry point; `ablation run` starts one per parallel run.</summary>
    static Command Worker()
    {
        var command = new Command("worker", "Train the run a sweep's request file describes into the folder holding it (started by `ablation run`).")
        {
            Hidden = true,
        };
        var request = new Argument<string>("request") { Description = "The request.json a sweep wrote into a run folder." };
        command.Add(request);
        command.SetAction(parse => SegAlignCommand.Guard(() =>
        {
            string file = parse.GetValue(request)!;
            Console.WriteLine($"worker: {Path.GetFullPath(file)}");
            using var cancel = CancelOnCtrlC();
            var outcome = ProgressDisplay.Run(Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file))) ?? file,
                progress => WorkerRequest.Run(file, progress, cancel.Token));
            if (outcome.Metrics is not null) ResultPrinter.Print(outcome.Metrics, outcome.Folder.Path);
            return 0;
        }));
        return command;
    }
}
