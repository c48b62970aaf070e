using System.CommandLine;

namespace SegAlign.Cli;

/// <summary>Every subcommand besides `info`, in the order `--help` lists them.</summary>
public static partial class Commands
{
    public static IEnumerable<Command> All() => [Train(), Eval(), Pretrain(), Ablation(), Bench(), Notebook(), Report(), Worker(), BenchWorkerEntry()];
}
