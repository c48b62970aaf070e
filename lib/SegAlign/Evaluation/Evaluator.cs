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

/// <summary>Every metric of a split, accumulated image by image in one pass (from a model or from stored predictions).</summary>
public sealed class SplitAccumulator(ISegmentationDataset dataset, BoundaryOptions? boundaryOptions = null)
{
    readonly ConfusionMatrix confusion = new(dataset.NumClasses);
    readonly PerImageCounts perImage = new(dataset.NumClasses);
    readonly BoundaryMetrics boundary = new(dataset.NumClasses, boundaryOptions ?? new BoundaryOptions());
    readonly AlignmentMetrics alignment = new(dataset.NumClasses);
    readonly PredictionArchive.Writer predictions = new();
    readonly Stopwatch clock = Stopwatch.StartNew();

    /// <param name="owner">Which garment owns each pixel (generated scenes), for the item metrics; null elsewhere.</param>
    public void Add(byte[] prediction, Sample sample, byte[]? owner)
    {
        confusion.Add(prediction, sample.Label);
        perImage.Add(prediction, sample.Label);
        boundary.Add(prediction, sample.Label, sample.Height, sample.Width);
        alignment.Add(prediction, sample.Label, sample.Height, sample.Width, owner);
        predictions.Add(prediction, sample.Label, sample.Height, sample.Width);
    }

    public EvaluationResult Result() => new(SegmentationMetrics.From(confusion, dataset.ClassNames), confusion, boundary.MeanBoundaryF,
        boundary.BoundaryFPerClass(), boundary.TrimapMeanIoU(dataset.ClassNames), perImage.Images, clock.Elapsed.TotalSeconds, perImage, alignment, predictions);
}

/// <summary>Runs a model over a split (eval mode, no autograd) and accumulates every metric in one pass.</summary>
public static class Evaluator
{
    /// <param name="observe">Also hears every image's prediction with its index and sample (e.g. <see cref="ItemRecognition"/>).</param>
    public static EvaluationResult Evaluate(Segmentor model, ISegmentationDataset dataset, int batchSize, BoundaryOptions? boundaryOptions = null,
        IProgress<int>? progress = null, CancellationToken cancellation = default, Action<int, byte[], Sample>? observe = null)
    {
        var metrics = new SplitAccumulator(dataset, boundaryOptions);
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
                    metrics.Add(predicted[b], pending[b], owners[b]);
                    observe?.Invoke(index++, predicted[b], pending[b]);
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
        return metrics.Result();
    }

    /// <summary>Every metric from a run's stored predictions (predictions.bin) on the split they were made on: no model, no retraining.</summary>
    public static EvaluationResult FromPredictions(string archive, ISegmentationDataset dataset, BoundaryOptions? boundaryOptions = null,
        Action<int, byte[], Sample>? observe = null)
    {
        var metrics = new SplitAccumulator(dataset, boundaryOptions);
        var scenes = dataset as FashionScenes;
        int index = 0;
        foreach (var (prediction, sample) in PredictionArchive.Read(archive, dataset))
        {
            metrics.Add(prediction, sample, scenes?.GetWithItems(index).Owner);
            observe?.Invoke(index, prediction, sample);
            index++; // not inside the call: a null observer would skip it
        }
        return metrics.Result();
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
