using System.Diagnostics;
using SegAlign.Data;
using SegAlign.Models;
using static TorchSharp.torch;

namespace SegAlign.Evaluation;

/// <summary>Everything measured on a split.</summary>
public sealed record EvaluationResult(
    SegmentationMetrics Metrics,
    ConfusionMatrix Confusion,
    double MeanBoundaryF,
    IReadOnlyList<double?> BoundaryFPerClass,
    IReadOnlyDictionary<int, double> TrimapMeanIoU,
    int Images,
    double Seconds,
    PerImageCounts PerImage,
    AlignmentMetrics Alignment,
    PredictionArchive.Writer Predictions);

/// <summary>Runs a model over a split (eval mode, no autograd) and accumulates every metric in one pass.</summary>
public static class Evaluator
{
    /// <param name="observe">Also hears every image's prediction with its index and sample (e.g. <see cref="ItemRecognition"/>).</param>
    public static EvaluationResult Evaluate(Segmentor model, ISegmentationDataset dataset, int batchSize, BoundaryOptions? boundaryOptions = null,
        IProgress<int>? progress = null, CancellationToken cancellation = default, Action<int, byte[], Sample>? observe = null)
    {
        var clock = Stopwatch.StartNew();
        var confusion = new ConfusionMatrix(dataset.NumClasses);
        var perImage = new PerImageCounts(dataset.NumClasses);
        var boundary = new BoundaryMetrics(dataset.NumClasses, boundaryOptions ?? new BoundaryOptions());
        var alignment = new AlignmentMetrics(dataset.NumClasses);
        var predictions = new PredictionArchive.Writer();
        var scenes = dataset as FashionScenes; // generated scenes also know which garment owns each pixel
        var owners = new List<byte[]?>(batchSize);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var pending = new List<Sample>(batchSize);
            int first = 0; // dataset index of pending[0]
            void Flush()
            {
                if (pending.Count == 0) return;
                int index = first;
                var predicted = Predict(model, pending, dataset.Normalisation);
                for (int b = 0; b < pending.Count; b++)
                {
                    var (prediction, sample) = (predicted[b], pending[b]);
                    confusion.Add(prediction, sample.Label);
                    perImage.Add(prediction, sample.Label);
                    boundary.Add(prediction, sample.Label, sample.Height, sample.Width);
                    alignment.Add(prediction, sample.Label, sample.Height, sample.Width, owners[b]);
                    predictions.Add(prediction, sample.Label, sample.Height, sample.Width);
                    observe?.Invoke(index++, prediction, sample);
                }
                first = index;
                pending.Clear();
                owners.Clear();
            }
            for (int i = 0; i < dataset.Count; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var (sample, owner) = scenes is not null ? scenes.GetWithItems(i) : (dataset.Get(i), null);
                if (pending.Count > 0 && (pending[0].Height != sample.Height || pending[0].Width != sample.Width)) Flush();
                pending.Add(sample);
                owners.Add(owner);
                if (pending.Count == batchSize) Flush();
                progress?.Report(i + 1);
            }
            Flush();
        }
        finally
        {
            model.train(wasTraining);
        }
        var metrics = SegmentationMetrics.From(confusion, dataset.ClassNames);
        return new EvaluationResult(metrics, confusion, boundary.MeanBoundaryF, boundary.BoundaryFPerClass(),
            boundary.TrimapMeanIoU(dataset.ClassNames), dataset.Count, clock.Elapsed.TotalSeconds, perImage, alignment, predictions);
    }

    /// <summary>Arg-max predictions for samples of one size, as host label maps.</summary>
    public static List<byte[]> Predict(Segmentor model, IReadOnlyList<Sample> samples, (float[] Mean, float[] Std) normalisation)
    {
        using var scope = NewDisposeScope();
        var batch = HostBatch.Collate(0, samples, normalisation);
        var images = tensor(batch.Images, [batch.Count, batch.Channels, batch.Height, batch.Width]).to(model.Device());
        var prediction = model.forward(images).Logits.argmax(1).to(ScalarType.Byte).cpu();
        var flat = prediction.data<byte>().ToArray();
        int plane = batch.Height * batch.Width;
        return Enumerable.Range(0, batch.Count).Select(b => flat.AsSpan(b * plane, plane).ToArray()).ToList();
    }
}
