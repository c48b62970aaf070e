using SegAlign.Models;
using SegAlign.Nn;
using static TorchSharp.torch;

namespace SegAlign.Tests;

/// <summary>The FLOP counter's coverage check shared by the decoder tests: every op of a forward pass, in training and
/// in evaluation, went through <see cref="Ops"/>.</summary>
public static class FlopCoverage
{
    /// <returns>The counted MACs per section of the last (evaluation) pass.</returns>
    public static IReadOnlyDictionary<string, long> AssertEveryOpCounted(Segmentor model, string what)
    {
        IReadOnlyDictionary<string, long> sections = new Dictionary<string, long>();
        foreach (bool training in new[] { true, false })
        {
            model.train(training);
            using var input = randn(2, 3, 65, 47);
            using var counter = FlopCounter.Start();
            model.forward(input);
            Assert.True(counter.Uncounted.Count == 0, $"{what} ({(training ? "train" : "eval")}) computed outside Ops: {string.Join("; ", counter.Uncounted.Take(5))}");
            Assert.True(counter.MacsBySection["decoder"] > 0);
            Assert.True(counter.MacsBySection["backbone"] > 0);
            sections = new Dictionary<string, long>(counter.MacsBySection);
        }
        return sections;
    }
}
