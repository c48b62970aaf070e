using System.CommandLine;
using SegAlign.Platform;

namespace SegAlign.Cli;

/// <summary>The `segalign` command line: one subcommand per file under Commands/.</summary>
public static class SegAlignCommand
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("SegAlign — does a feature-alignment decoder really help? Train, evaluate, measure and compare segmentation decoders.");
        root.Add(InfoCommand());
        foreach (var command in Commands.All()) root.Add(command);
        try
        {
            return root.Parse(args).Invoke();
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return 2;
        }
    }

    /// <summary>Runs a command body, turning bad input into one clear line and exit code 2.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }

    /// <summary>The promise is one line: a message that quotes a file's bytes or a user's value must not break it.</summary>
    static string OneLine(string message) => message.ReplaceLineEndings(" ");

    static Command InfoCommand()
    {
        var command = new Command("info", "Print the device, processor, thread count and software versions this machine runs with, and the C heap policy for tensor memory.");
        command.SetAction(_ => Guard(() =>
        {
            TorchRuntime.Initialise();
            Console.WriteLine(TorchRuntime.Describe());
            Console.WriteLine($"native heap: {NativeHeap.Policy}");
            return 0;
        }));
        return command;
    }
}
