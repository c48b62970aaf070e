namespace SegAlign.Cli;

/// <summary>Range checks of numeric options that System.CommandLine parses but cannot judge, each blaming its option.</summary>
static class OptionChecks
{
    /// <summary>--threads: 0 means "all cores"; a negative count is a typo, not a request.</summary>
    public static int Threads(int value, string option = "--threads") =>
        value >= 0 ? value : throw new InputException(option, $"must be ≥ 0 (0 = all cores), got {value}", "pass a thread count such as 1 or 2, or 0 for all cores");

    public static int AtLeast(int value, int minimum, string option, string fix) =>
        value >= minimum ? value : throw new InputException(option, $"must be ≥ {minimum}, got {value}", fix);

    /// <summary>--precision: the names train.precision takes (fp32, bf16), in any case.</summary>
    public static Config.TrainPrecision Precision(string value, string option = "--precision")
    {
        // By name only: Enum.TryParse would also take "1".
        foreach (var precision in Enum.GetValues<Config.TrainPrecision>())
            if (precision.ToString().Equals(value, StringComparison.OrdinalIgnoreCase)) return precision;
        throw new InputException(option, $"must be fp32 or bf16, got '{value}'", "pass --precision fp32 (the default) or --precision bf16");
    }

    /// <summary>Comma- or space-separated values of a repeatable option ("a,b" or "a b" or "--x a --x b"), in order, without repeats.</summary>
    public static string[]? List(string[]? values) =>
        values is { Length: > 0 }
            ? values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToArray()
            : null;

    /// <summary>
    /// The one --preset option of every command: its help lists the presets baseline.json defines with what each is, and
    /// <see cref="Preset"/> checks a value against the same list.
    /// </summary>
    public static System.CommandLine.Option<string> PresetOption(string purpose, string defaultValue) =>
        new("--preset") { Description = $"{purpose} One of: {Experiments.Presets.Catalog()}.", DefaultValueFactory = _ => defaultValue };

    public static string Preset(string value) => Experiments.Presets.Check(value, "--preset");
}
