using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SegAlign.Training;

/// <summary>Pixel-wise cross-entropy with ignore label 255, optionally with online hard example mining.</summary>
public static class Losses
{
    public const long IgnoreIndex = 255;

    /// <param name="logits">[N, K, H, W]</param>
    /// <param name="labels">[N, H, W] int64, 255 = ignore</param>
    /// <param name="ohem">Hard-example mining settings, or null for plain cross-entropy.</param>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels, OhemConfig? ohem = null)
    {
        if (ohem is null) return F.cross_entropy(logits, labels, ignore_index: IgnoreIndex);
        return OhemCrossEntropy(logits, labels, ohem);
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
            var valid = labels.ne(IgnoreIndex);
            long validCount = valid.sum().item<long>();
            if (validCount <= ohem.MinKept)
                return scope.MoveToOuter(F.cross_entropy(logits, labels, ignore_index: IgnoreIndex));
            var probability = F.softmax(logits, 1);
            var safeLabels = labels.masked_fill(valid.logical_not(), 0).unsqueeze(1);
            var trueClass = probability.gather(1, safeLabels).squeeze(1).masked_fill(valid.logical_not(), 1.0);
            double kth = trueClass.flatten().kthvalue(ohem.MinKept, 0, false).values.item<float>();
            double threshold = Math.Max(ohem.Threshold, kth);
            hardLabels = labels.masked_fill(trueClass.gt(threshold), IgnoreIndex);
        }
        return scope.MoveToOuter(F.cross_entropy(logits, hardLabels, ignore_index: IgnoreIndex));
    }
}
