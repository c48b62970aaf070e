using SegAlign.Cli;

namespace SegAlign.Tests.Reliability;

/// <summary>Runs the command line in this process and captures what it prints.</summary>
static class CliRunner
{
    public static (int Code, string Out, string Error) Run(params string[] args)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (SegAlignCommand.Run(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    /// <summary>Asserts the project's bad-input contract: exit 2, one line "error: … Fix: …." naming <paramref name="expected"/>.</summary>
    public static string AssertBadInput((int Code, string Out, string Error) result, params string[] expected)
    {
        Assert.True(result.Code == 2, $"exit {result.Code}: {result.Error}{result.Out}");
        string line = result.Error.Trim();
        Assert.StartsWith("error: ", line);
        Assert.Single(line.Split('\n'));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(line, "Fix:"));
        foreach (var text in expected) Assert.Contains(text, line);
        return line;
    }
}
