using System.CommandLine;
using System.CommandLine.Parsing;
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
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                Console.Error.WriteLine($"error: {ParseErrorText(parse)}");
                return 2;
            }
            return parse.Invoke();
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {OneLine(Message(e))}");
            return 2;
        }
    }

    // The library names settings as a notebook or config knows them; the command line shows the option that sets them.
    static readonly Dictionary<string, string> OptionOf = new(StringComparer.Ordinal)
    {
        ["preset"] = "--preset", ["variants"] = "--variants", ["threads"] = "--threads", ["boundary tolerance"] = "--boundary-tolerance",
        ["trimap widths"] = "--trimap", ["PyTorch peer"] = "--peer",
    };

    /// <summary>An input error as this command line words it: a setting the library names is shown as its option.</summary>
    public static string Message(InputException e) =>
        OptionOf.TryGetValue(e.Where, out var option) ? $"{option}: {e.Problem}. Fix: {e.Fix}." : e.Message;

    /// <summary>Runs a command body, turning bad input into one clear line and exit code 2.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"error: {OneLine(Message(e))}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        // What the file system refuses (read-only, no space, a folder where a file goes, another user's files) is the
        // caller's to fix, not a crash: one line and exit 2. Every writer is atomic, so nothing half-written stays behind.
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"error: {OneLine(e.Message)}. Fix: write where this user may (another --out, --results or -o), or fix the folder's permissions");
            return 2;
        }
        catch (IOException e)
        {
            bool full = (e.HResult & 0xFFFF) == 28 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);
            Console.Error.WriteLine(full
                ? $"error: the disk is full ({OneLine(e.Message)}). Fix: free space, then run the same command again (training resumes from its last checkpoint)"
                : $"error: {OneLine(e.Message)}. Fix: check that path: it must be a writable file location (not a folder, not on a read-only file system)");
            return 2;
        }
    }

    /// <summary>
    /// The parser's first complaint in the project's form: one line, what and where, and the fix — a number out of
    /// range (--iterations 99999999999) says so instead of the parser's type name.
    /// </summary>
    static string ParseErrorText(ParseResult parse)
    {
        var error = parse.Errors[0];
        var commands = new List<string>();
        for (var result = (SymbolResult?)parse.CommandResult; result is not null; result = result.Parent)
            if (result is CommandResult { Parent: not null } command) commands.Insert(0, command.Command.Name);
        string help = $"see `segalign {string.Join(' ', commands.Append("--help"))}`";
        if ((error.SymbolResult as OptionResult ?? error.SymbolResult?.Parent as OptionResult) is { Option.ValueType: var type } option && option.Tokens.Count > 0
            && (Nullable.GetUnderlyingType(type) ?? type) is var numeric && (numeric == typeof(int) || numeric == typeof(long)))
        {
            string value = option.Tokens[^1].Value;
            string range = numeric == typeof(int) ? $"{int.MinValue} to {int.MaxValue}" : $"{long.MinValue} to {long.MaxValue}";
            return OneLine($"{option.Option.Name}: '{value}' is not a whole number from {range}. Fix: pass a whole number in that range; {help}.");
        }
        return OneLine($"{error.Message.TrimEnd('.')}. Fix: {help}.");
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
