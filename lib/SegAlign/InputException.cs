namespace SegAlign;

/// <summary>
/// Bad input (a config value, a file, a name): names what (a config field, a file, a name), what is wrong, and how to fix it.
/// The CLI prints <see cref="Exception.Message"/> alone and exits with code 2.
/// </summary>
public sealed class InputException(string where, string problem, string fix)
    : Exception($"{where}: {problem}. Fix: {fix}.")
{
    public string Where { get; } = where;
    public string Problem { get; } = problem;
    public string Fix { get; } = fix;
}
