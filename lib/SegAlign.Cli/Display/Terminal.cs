using Spectre.Console;

namespace SegAlign.Cli;

/// <summary>
/// The Spectre console for the current <see cref="Console.Out"/>. Spectre's static AnsiConsole keeps the first
/// writer it ever saw, which breaks callers that redirect Console.Out (tests, the notebook runner); and with
/// redirected output (logs, CI, `| tee`) it assumes 80 columns and wraps every table cell, so tables get room.
/// </summary>
public static class Terminal
{
    public static IAnsiConsole Current()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 200;
        return console;
    }
}
