using SegAlign.Notebooks;

namespace SegAlign.Tests.Notebooks;

public static partial class ProjectNotebooks
{
    static Notebook AlignSeg(IReadOnlyDictionary<string, string> versions)
    {
        var cells = Opening(versions, "AlignSeg: aligned aggregation and aligned context",
            "AlignSeg (Huang et al., TPAMI 2022) aggregates its stride-4 cascade with AlignFA — two learned offset fields per merge, one warping the upsampled " +
            "coarse map and one the fine map — and gathers context with AlignCM, which warps a pooled 3×3 context onto every pixel of C5. " +
            "The ablation adds them one at a time to the same RRB cascade, and compares the offset normalisation of the released code with the geometrically correct one.");
        cells.AddRange(StudyCells("alignseg"));
        cells.AddRange(
        [
            Code("Charts.VariantMetrics(study.Summary)"),
            Md("## The offset fields: corrected against official normalisation\n\n" +
               "*Corrected* divides the offsets by ((W−1)/2, (H−1)/2) of the output grid and samples with align_corners true: one unit is one output pixel and zero is the identity. " +
               "*Official* (the released code on PyTorch ≥ 1.3) divides by the input's (w, h) and samples with align_corners false: one unit is half an input pixel, " +
               "and zero offset stretches the map by half a pixel and blends its borders with zeros. Every field is converted to pixels of its own grid, so the two models compare; " +
               "each panel is scaled to its own longest displacement (the chart below compares magnitudes). `cabN.high` warps the upsampled coarse map, `cabN.low` the fine map, `cam` the pooled context."),
            Code("var scene = study.Sample(0);\nvar corrected = Inspect.Flows(study.Model(\"alignfa-aligncm\"), scene);\nvar official = Inspect.Flows(study.Model(\"alignfa-aligncm-official\"), scene);\n" +
                 "display(scene.Picture());\n" +
                 "display(FlowPlots.ColourFields(corrected, title: \"AlignFA + AlignCM, corrected normalisation\"));\n" +
                 "display(FlowPlots.ColourFields(official, title: \"AlignFA + AlignCM, official normalisation\"));\ndisplay(ColourWheel.Legend());"),
            Md("Mean displacement of every field in input pixels, on a log scale (hover for the largest):"),
            Code("Charts.FlowMagnitudes([(\"corrected\", corrected), (\"official\", official)], \"AlignSeg offsets: corrected vs official normalisation\")"),
            Md("## Where the aggregation samples\n\nThe offsets of the coarse maps (`cabN.high`) of the corrected model as arrows over the image."),
            Code("FlowPlots.ArrowsPerLevel(scene, corrected.Where(f => f.Name.EndsWith(\".high\")).ToList())"),
            Md("## Training curves"),
            Code("Charts.TrainingCurves(study.Curves())"),
        ]);
        return Notebook.CreateCSharp([.. cells]);
    }

    static Notebook Ifa(IReadOnlyDictionary<string, string> versions)
    {
        var cells = Opening(versions, "IFA: implicit feature alignment at any resolution",
            "IFA (Hu et al., ECCV 2022) never upsamples a feature map: for a query coordinate it takes the nearest feature of every pyramid level, " +
            "adds the relative offset to that cell (through a learnable sinusoidal encoding) and classifies the concatenation with a small MLP. " +
            "The queries can lie on any grid, so one trained model answers at any output resolution. The ablation compares it with the bilinear FPN and without the encoding.");
        cells.AddRange(StudyCells("ifa"));
        cells.AddRange(
        [
            Code("display(Charts.VariantMetrics(study.Summary));\ndisplay(Charts.Cost(study.Summary));"),
            Md("## One model, four output resolutions\n\nThe same IFA model queried at 1/4, 1/2, 1 and 2 times the input size, every prediction drawn at the same size. " +
               "IFA computes each resolution directly from the features; the bilinear FPN predicts at stride 4 and its logits are resized. " +
               "The titles give the share of the scene's labelled pixels each prediction gets right (resized to the ground truth for that count)."),
            Code("var scene = study.Sample(0);\n" +
                 "display(SegmentationPlots.Compare(scene, Inspect.AtResolutions(study.Model(\"ifa\"), scene, 0.25, 0.5, 1, 2), \"IFA queried at four output sizes\", columns: 3));\n" +
                 "display(SegmentationPlots.Compare(scene, Inspect.AtResolutions(study.Model(\"bilinear\"), scene, 0.25, 0.5, 1, 2), \"Bilinear FPN: stride-4 logits resized to the same sizes\", columns: 3));"),
            Md("## Training curves"),
            Code("Charts.TrainingCurves(study.Curves())"),
        ]);
        return Notebook.CreateCSharp([.. cells]);
    }

    static Notebook Hfgd(IReadOnlyDictionary<string, string> versions)
    {
        var cells = Opening(versions, "HFGD: high-level features guide the upsampler",
            "HFGD (Huang et al., TCSVT 2024) learns class kernels only from the high-level features (a context encoder on C5) and reuses them, under a stop-gradient, " +
            "to classify the features of an FPN upsampler whose gradient is kept out of the backbone. No code is published; the decoder is a reconstruction " +
            "(see HfgdDecoder.cs). The ablation compares the FPN baseline, the guided design without and with the stop-gradients, and output stride 2.");
        cells.AddRange(StudyCells("hfgd"));
        cells.AddRange(
        [
            Code("Charts.VariantMetrics(study.Summary)"),
            Md("## High-level branch against the guided upsampler\n\nFor one scene: the high-level branch's prediction (the class kernels applied to the context encoder's output) " +
               "at its own coarse resolution, the same logits resized bilinearly to the input, and the upsampler's prediction that uses the same kernels — " +
               "with the stop-gradients (`guided-sg`) and without (`guided-no-sg`)."),
            Code("var scene = study.Sample(0);\nforeach (var variant in new[] { \"guided-sg\", \"guided-no-sg\" })\n" +
                 "    display(SegmentationPlots.Compare(scene, Inspect.HighLevelVsUpsampler(study.Model(variant), scene).Maps, $\"{variant}: high-level branch vs guided upsampler\"));"),
            Md("## The stop-gradient during training\n\nTotal training loss (upsampler + high-level branch) with and without the stop-gradients, every seed. " +
               "Whether the difference carries to the validation numbers is in the claims above."),
            Code("Charts.TrainingCurves(study.Curves(\"guided-no-sg\", \"guided-sg\"), \"Training loss with and without the stop-gradients\")"),
        ]);
        return Notebook.CreateCSharp([.. cells]);
    }

    static Notebook Rsp(IReadOnlyDictionary<string, string> versions)
    {
        var cells = Opening(versions, "RSP: pixel-to-region relations across scales",
            "The RSP head (Bai et al., 2021) propagates context top-down through the FPN by relations: each pixel of a finer level weighs the k×k region of the coarser " +
            "level around its position (softmax over the region, several heads, a learned positional bias) instead of taking the bilinearly upsampled value. " +
            "No code is published; the head is a reconstruction (see RspDecoder.cs). The paper compares it with DeepLabV3 in accuracy and multiply-adds.");
        cells.AddRange(StudyCells("rsp"));
        cells.AddRange(
        [
            Md("## Accuracy and multiply-adds against DeepLabV3\n\nDeepLabV3 runs its ASPP on a backbone dilated to output stride 8; RSP stays at stride 32 and relates levels instead."),
            Code("display(Charts.MiouVsGmacs(study.Summary));\ndisplay(Charts.Cost(study.Summary));"),
            Md("## Relation weights of one pixel\n\nA pixel in the middle of the scene's largest object (magenta cross). For every stage: the input with the pixel and the window it relates to, " +
               "then that window's weights over the cells of the coarser map — the mean over heads and each head — on one colour scale per stage. " +
               "`rse.p5` relates P5 to itself; `rsp.pN` relates a pixel of PN to the window of the level above it."),
            Code("var scene = study.Sample(0);\nvar (y, x) = scene.ObjectPixel();\nvar relations = Inspect.Relations(study.Model(\"rsp\"), scene);\ndisplay(scene.Picture());\n" +
                 "RelationPlots.ForPixel(scene, relations, y, x)"),
            Md("## Training curves"),
            Code("Charts.TrainingCurves(study.Curves())"),
        ]);
        return Notebook.CreateCSharp([.. cells]);
    }

    static Notebook PerClass(IReadOnlyDictionary<string, string> versions)
    {
        var cells = Opening(versions, "Per class: where each decoder gains or loses",
            "The overview's decoders (`experiments/overview.json`) class by class: IoU per class with the spread over seeds, the confusion matrix of the baseline " +
            "and of its strongest challenger (the other decoder with the highest mean mIoU), and predictions on validation scenes in the dataset's class colours.");
        cells.AddRange(
        [
            Code("var study = Study.Open(\"overview\", preset, seeds).Ensure(rerun);\nstudy.Describe()"),
            Md("## Per-class IoU\n\nMean over seeds with ± std error bars; classes that no run could score (absent from the validation scenes and never predicted) are left out."),
            Code("Charts.PerClassIoU(study.Runs, study.Variants)"),
            Md("## Confusion matrices\n\nRows are the true class, columns the predicted one, each row as percentages of its pixels (summed over seeds); hover for the pixel counts. " +
               "The second matrix belongs to the baseline's strongest challenger: the other decoder with the highest mean mIoU."),
            Code("var baseline = study.Definition.Baseline;\nvar best = study.BestChallenger;\n" +
                 "display(Charts.Confusion(study.Confusion(baseline), study.ClassNames, $\"{baseline} (baseline): confusion, row-normalised\"));\n" +
                 "display(Charts.Confusion(study.Confusion(best), study.ClassNames, $\"{best} (strongest challenger): confusion, row-normalised\"));"),
            Md("## Predictions\n\nImage, ground truth, the challenger's prediction and its errors, then the baseline and the challenger side by side."),
            Code("var baselineModel = study.Model(baseline);\nvar bestModel = study.Model(best);\nforeach (var index in new[] { 0, 1, 2 })\n{\n" +
                 "    var scene = study.Sample(index);\n    display(SegmentationPlots.Overlay(scene, Inspect.Predict(bestModel, scene), $\"{best} on scene {index}\"));\n" +
                 "    display(SegmentationPlots.Compare(scene, [(baseline, Inspect.Predict(baselineModel, scene)), (best, Inspect.Predict(bestModel, scene))], $\"{baseline} vs {best} on scene {index}\"));\n}"),
        ]);
        return Notebook.CreateCSharp([.. cells]);
    }
}
