using SegAlign.Training;
using static SegAlign.Tests.Reliability.CliRunner;

namespace SegAlign.Tests.Reliability;

/// <summary>Issue 33 row 4: a checkpoint with a flipped byte is refused on resume, with the file and the fix named.</summary>
public class CheckpointIntegrityTests
{
    static string StoppedRun()
    {
        string folder = TestConfigs.NewRunFolder();
        Trainer.Run(TestConfigs.Tiny(iterations: 4), 0, folder, new TrainOptions { StopAfter = 2, Threads = 1 });
        return folder;
    }

    static void FlipByte(string file, double at)
    {
        var bytes = File.ReadAllBytes(file);
        int index = (int)(bytes.Length * at);
        bytes[index] ^= 0x10;
        File.WriteAllBytes(file, bytes);
    }

    [Theory]
    [InlineData(0.9)]    // inside the tensors: the old format trained on with a damaged weight
    [InlineData(0.002)]  // inside the header
    public void A_flipped_byte_is_refused_on_resume_naming_the_file_and_the_fix(double at)
    {
        string folder = StoppedRun();
        string checkpoint = Path.Combine(folder, "checkpoint.ckpt");
        FlipByte(checkpoint, at);
        var result = Run("train", "--config", Path.Combine(folder, "config.json"), "--seed", "0", "--out", folder, "--resume", "--threads", "1");
        AssertBadInput(result, checkpoint, "checksum", "delete");
        Assert.False(File.Exists(Path.Combine(folder, "metrics.json")));
    }

    [Fact]
    public void An_intact_checkpoint_resumes_and_a_checkpoint_of_the_old_format_still_loads()
    {
        string folder = StoppedRun();
        string checkpoint = Path.Combine(folder, "checkpoint.ckpt");
        var (info, tensors) = Checkpoint.Load(checkpoint);
        Assert.Equal(2, info.Iteration);

        // Format 1: the same bytes with the old magic and no trailing checksum.
        var bytes = File.ReadAllBytes(checkpoint);
        var old = bytes[..^32];
        System.Text.Encoding.ASCII.GetBytes("SEGALIGN-CHECKPOINT-1\n").CopyTo(old, 0);
        string oldFile = Path.Combine(folder, "old.ckpt");
        File.WriteAllBytes(oldFile, old);
        var (oldInfo, oldTensors) = Checkpoint.Load(oldFile);
        Assert.Equal(info, oldInfo);
        Assert.Equal(tensors.Keys.Order(), oldTensors.Keys.Order());
        foreach (var t in tensors.Values.Concat(oldTensors.Values)) t.Dispose();
    }
}
