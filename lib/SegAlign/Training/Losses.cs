using SegAlign.Config;
using SegAlign.Nn;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegAlign.Training;

/// <summary>Pixel-wise cross-entropy with ignore label 255, optionally with online hard example mining.</summary>
public static class Losses
{
    public const long IgnoreIndex = 255;
    static readonly TorchSharp.Scalar Ignore = Scalars.Of(IgnoreIndex);

    /// <param name="logits">[N, K, H, W]</param>
    /// <param name="labels">[N, H, W] int64, 255 = ignore</param>
    /// <param name="ohem">Hard-example mining settings, or null for plain cross-entropy.</param>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels, OhemConfig? ohem = null)
    {
        if (ohem is null) return F.cross_entropy(logits, labels, ignore_index: IgnoreIndex);
        return OhemCrossEntropy(logits, labels, ohem);
    }

    /// <summary>The training objective: main cross-entropy plus each auxiliary output's weighted cross-entropy.</summary>
    public static Tensor Total(Models.SegmentorOutput output, Tensor labels, OhemConfig? ohem = null)
    {
        var loss = CrossEntropy(output.Logits, labels, ohem);
        foreach (var auxiliary in output.Auxiliary)
        {
            using var weight = Scalars.Of(auxiliary.Weight);
            loss = loss.add(CrossEntropy(auxiliary.Logits, labels, ohem), weight);
        }
        return loss;
    }

    // As SFNet/IFA's OhemCrossEntropy2dTensor: keep pixels whose true-class probability is at most
    // max(threshold, the MinKept-th smallest such probability); fall back to plain CE when fewer
    // than MinKept pixels are valid.
    static Tensor OhemCrossEntropy(Tensor logits, Tensor labels, OhemConfig ohem)
    {
        using var scope = NewDisposeScope();
        Tensor hardLabels;
        using (no_grad())
        {
            var valid = labels.ne(Ignore);
            long validCount = valid.sum().item<long>();
            if (validCount <= ohem.MinKept)
                return scope.MoveToOuter(F.cross_entropy(logits, labels, ignore_index: IgnoreIndex));
            var probability = F.softmax(logits, 1);
            var safeLabels = labels.masked_fill(valid.logical_not(), Scalars.Zero).unsqueeze(1);
            var trueClass = probability.gather(1, safeLabels).squeeze(1).masked_fill(valid.logical_not(), Scalars.OneFloat);
            double kth = trueClass.flatten().kthvalue(ohem.MinKept, 0, false).values.item<float>();
            using var threshold = Scalars.Of(Math.Max(ohem.Threshold, kth));
            hardLabels = labels.masked_fill(trueClass.gt(threshold), Ignore);
        }
        return scope.MoveToOuter(F.cross_entropy(logits, hardLabels, ignore_index: IgnoreIndex));
    }
}
