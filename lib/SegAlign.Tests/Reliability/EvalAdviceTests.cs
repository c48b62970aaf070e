using SegAlign.Training;

namespace SegAlign.Tests.Reliability;

/// <summary>Issue 33 row 9: the advice for a run without checkpoint retrains it as it was trained, threads included.</summary>
public class EvalAdviceTests
{
    [Fact]
    public void A_run_without_checkpoint_is_retrained_with_its_own_thread_count()
    {
        string folder = TestConfigs.NewRunFolder();
        Trainer.Run(TestConfigs.Tiny(iterations: 1), seed: 3, folder, new TrainOptions { Threads = 1 });
        var run = new RunFolder(folder);
        Assert.Equal(1, run.ReadThreads());
        File.Delete(run.CheckpointFile);
        var e = Assert.Throws<InputException>(() => TrainedModel.Load(run, 11));
        Assert.Contains("--seed 3 --threads 1 --out", e.Message);
    }
}
