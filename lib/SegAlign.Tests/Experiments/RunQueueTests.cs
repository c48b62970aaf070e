using SegAlign.Config;
using SegAlign.Experiments;

namespace SegAlign.Tests.Experiments;

public class RunQueueTests
{
    static PlannedRun Run(string config, int seed) => new("demo", config, seed, new RunConfig(), config);

    static List<string> Drain(RunQueue queue, Func<PlannedRun, double>? trainSeconds = null)
    {
        var order = new List<string>();
        while (queue.TryTake(out var run))
        {
            order.Add(run.Key);
            if (trainSeconds is not null) queue.Measured(run, trainSeconds(run));
        }
        return order;
    }

    [Fact]
    public void Each_config_is_measured_once_in_plan_order_then_its_other_seeds_go_longest_first()
    {
        var plan = new[] { Run("short", 0), Run("short", 1), Run("long", 0), Run("long", 1), Run("middle", 0), Run("middle", 1) };
        var seconds = new Dictionary<string, double> { ["short"] = 60, ["middle"] = 200, ["long"] = 400 };

        var order = Drain(new RunQueue(plan, new Dictionary<string, double>()), run => seconds[run.Hash]);

        Assert.Equal(["short-s0", "long-s0", "middle-s0", "long-s1", "middle-s1", "short-s1"], order);
    }

    [Fact]
    public void Finished_seeds_in_the_store_count_as_measured()
    {
        var plan = new[] { Run("short", 1), Run("long", 1), Run("new", 0) };

        var order = Drain(new RunQueue(plan, new Dictionary<string, double> { ["short"] = 60, ["long"] = 400 }));

        Assert.Equal(["new-s0", "long-s1", "short-s1"], order);
    }

    [Fact]
    public void A_seed_whose_first_run_is_still_training_waits_behind_measured_ones_but_is_not_lost()
    {
        var queue = new RunQueue([Run("a", 0), Run("a", 1), Run("b", 1)], new Dictionary<string, double> { ["b"] = 10 });

        Assert.True(queue.TryTake(out var first));   // a-s0: a is unmeasured; it is now training
        Assert.True(queue.TryTake(out var second));  // b-s1 is measured, a-s1 is not yet
        Assert.True(queue.TryTake(out var third));
        Assert.False(queue.TryTake(out _));
        Assert.Equal(["a-s0", "b-s1", "a-s1"], new[] { first.Key, second.Key, third.Key });
    }
}
