using SegAlign.Training;
using Spectre.Console;

namespace SegAlign.Cli;

/// <summary>
/// Live training progress: a Spectre.Console bar with loss, learning rate, images/s and ETA on a terminal;
/// plain lines (about every 5 % of the run) when output is redirected, so logs stay readable.
/// </summary>
public static class ProgressDisplay
{
    public static bool Interactive => !Console.IsOutputRedirected && Terminal.Current().Profile.Capabilities.Interactive;

    public static T Run<T>(string title, Func<IProgress<TrainProgress>, T> work)
    {
        if (!Interactive) return work(PlainLines(title));
        T result = default!;
        Terminal.Current().Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var train = context.AddTask(Markup.Escape(title), maxValue: 1);
                ProgressTask? evaluate = null;
                result = work(new ImmediateProgress<TrainProgress>(p =>
                {
                    if (p.Phase == "train")
                    {
                        train.MaxValue = p.Total;
                        train.Value = p.Iteration;
                        train.Description = Markup.Escape($"{title}  it {p.Iteration}/{p.Total}  loss {p.Loss:F4}  lr {p.LearningRate:G3}  {p.ImagesPerSecond:F0} img/s");
                    }
                    else
                    {
                        train.Value = train.MaxValue;
                        evaluate ??= context.AddTask("evaluate", maxValue: Math.Max(1, p.Total));
                        evaluate.Value = p.Iteration;
                    }
                }));
            });
        return result;
    }

    static IProgress<TrainProgress> PlainLines(string title)
    {
        int lastPrinted = -1;
        bool evaluating = false;
        return new ImmediateProgress<TrainProgress>(p =>
        {
            if (p.Phase == "train")
            {
                int step = Math.Max(1, p.Total / 20);
                if (p.Iteration != p.Total && p.Iteration % step != 0 && p.Iteration != 1) return;
                if (p.Iteration == lastPrinted) return;
                lastPrinted = p.Iteration;
                Console.WriteLine($"{title}  it {p.Iteration}/{p.Total}  loss {p.Loss:F4}  lr {p.LearningRate:G3}  {p.ImagesPerSecond:F0} img/s  " +
                                  $"elapsed {p.Elapsed:hh\\:mm\\:ss}  eta {p.Remaining ?? TimeSpan.Zero:hh\\:mm\\:ss}");
            }
            else if (!evaluating)
            {
                evaluating = true;
                Console.WriteLine($"{title}  evaluating {p.Total} images …");
            }
        });
    }
}
