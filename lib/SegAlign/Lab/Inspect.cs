using System.Globalization;
using SegAlign.Data;
using SegAlign.Models;
using SegAlign.Models.Decoders;
using SegAlign.Nn;
using SegAlign.Training;
using SegAlign.Visualisation;
using static TorchSharp.torch;

namespace SegAlign.Lab;

/// <summary>
/// Looks inside a trained model on one scene (evaluation mode, no autograd), returning host copies that the
/// <see cref="Visualisation"/> classes draw: flow fields, relation weights, predictions at any size, HFGD's two heads.
/// </summary>
public static class Inspect
{
    /// <summary>The flow/offset fields FAM (SFNet) or AlignFA/AlignCM (AlignSeg) used on <paramref name="scene"/>, in forward order.</summary>
    public static IReadOnlyList<FlowMap> Flows(Segmentor model, Scene scene)
    {
        if (model.Decoder is not IFlowProducer producer)
            throw new InputException("model", $"its decoder '{model.Config.Decoder}' warps nothing, so it has no flow fields", "use an sfnet or alignseg variant");
        producer.RecordFlows = true;
        try
        {
            Forward(model, scene, null);
            var fields = producer.TakeFlows();
            try
            {
                return fields.Select(f => FlowMap.From(f, 0, scene.Height, scene.Width)).ToList();
            }
            finally
            {
                foreach (var field in fields) field.Flow.Dispose();
            }
        }
        finally
        {
            producer.RecordFlows = false;
        }
    }

    /// <summary>The relation weights of every RSP stage on <paramref name="scene"/> (top level first).</summary>
    public static IReadOnlyList<RelationLayer> Relations(Segmentor model, Scene scene)
    {
        if (model.Decoder is not IRelationProducer producer)
            throw new InputException("model", $"its decoder '{model.Config.Decoder}' has no relation weights", "use an rsp variant");
        producer.RecordRelations = true;
        try
        {
            Forward(model, scene, null);
            var maps = producer.TakeRelations();
            try
            {
                return maps.Select(m => RelationLayer.From(m, 0, scene.Height, scene.Width)).ToList();
            }
            finally
            {
                foreach (var map in maps) map.Weights.Dispose();
            }
        }
        finally
        {
            producer.RecordRelations = false;
        }
    }

    /// <summary>The arg-max prediction at the input size, or at <paramref name="height"/>×<paramref name="width"/>
    /// (IFA answers that size directly; other decoders' logits are resized bilinearly, as evaluation does).</summary>
    public static LabelMap Predict(Segmentor model, Scene scene, int? height = null, int? width = null)
    {
        (long, long)? size = height is null && width is null ? null : (height ?? scene.Height, width ?? scene.Width);
        return Forward(model, scene, size, output => ArgMax(output.Logits));
    }

    /// <summary>
    /// Predictions at <paramref name="scales"/> × the input size (default 1/4, 1/2, 1 and 2): what "arbitrary output
    /// resolution" looks like for IFA, and bilinear resizing of fixed-stride logits for any other decoder.
    /// </summary>
    public static IReadOnlyList<(string Title, LabelMap Map)> AtResolutions(Segmentor model, Scene scene, params double[] scales)
    {
        if (scales.Length == 0) scales = [0.25, 0.5, 1, 2];
        return scales.Select(s =>
        {
            if (!(s > 0)) throw new InputException("scales", $"{s} is not a positive scale", "use e.g. 0.25, 0.5, 1, 2");
            int h = Math.Max(1, (int)Math.Round(scene.Height * s)), w = Math.Max(1, (int)Math.Round(scene.Width * s));
            return ($"{Scale(s)} ({model.Config.Decoder})", Predict(model, scene, h, w));
        }).ToList();
    }

    /// <summary>
    /// HFGD's two predictions: the high-level branch (class kernels on the CAE features, at C5's resolution) as it is and
    /// bilinearly upsampled to the input, and the guided upsampler's (the model's output).
    /// </summary>
    public static HfgdPredictions HighLevelVsUpsampler(Segmentor model, Scene scene) =>
        Forward(model, scene, null, output =>
        {
            var high = output.Auxiliary.FirstOrDefault(a => a.Name == "hfgd.high")
                       ?? throw new InputException("model", $"its decoder '{model.Config.Decoder}' returns no high-level logits (hfgd.high)", "use an hfgd variant with guidance");
            var upsampled = Ops.Resize(high.Logits, scene.Height, scene.Width, alignCorners: false);
            return new HfgdPredictions(ArgMax(high.Logits), ArgMax(upsampled), ArgMax(output.Logits));
        });

    static string Scale(double s) => s switch
    {
        1 => "input size",
        < 1 when Math.Abs(1 / s - Math.Round(1 / s)) < 1e-9 => $"1/{Math.Round(1 / s).ToString(CultureInfo.InvariantCulture)} of the input",
        _ => $"{s.ToString("0.##", CultureInfo.InvariantCulture)}× the input",
    };

    static void Forward(Segmentor model, Scene scene, (long, long)? size) => Forward(model, scene, size, _ => 0);

    static T Forward<T>(Segmentor model, Scene scene, (long, long)? size, Func<SegmentorOutput, T> read)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var batch = HostBatch.Collate(0, [scene.Sample], scene.Normalisation);
            var images = tensor(batch.Images, [1, batch.Channels, batch.Height, batch.Width]).to(model.Device());
            return read(model.Forward(images, size));
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    static LabelMap ArgMax(Tensor logits)
    {
        var labels = logits[0].argmax(0).to(ScalarType.Byte).cpu();
        return new LabelMap(labels.data<byte>().ToArray(), (int)labels.shape[0], (int)labels.shape[1]);
    }
}

/// <summary>HFGD's predictions on one scene: the high-level branch at its own (C5) resolution and upsampled
/// bilinearly, and the guided upsampler's output.</summary>
public sealed record HfgdPredictions(LabelMap HighLevel, LabelMap HighLevelUpsampled, LabelMap Upsampler)
{
    /// <summary>Titled maps for <see cref="SegmentationPlots.Compare"/>.</summary>
    public IReadOnlyList<(string Title, LabelMap Map)> Maps =>
    [
        ("high-level branch (own resolution)", HighLevel),
        ("high-level, bilinear to input", HighLevelUpsampled),
        ("guided upsampler (the output)", Upsampler),
    ];
}
