using SegAlign.Config;

using static TorchSharp.torch;

namespace SegAlign.Models.Backbones;

/// <summary>
/// An encoder that returns five levels: C1 (the stem's stride-2 output, for decoders that go to output
/// stride 2) and the pyramid C2–C5 (strides 4, 8, 16, 32 unless dilated).
/// </summary>
public abstract class Backbone : nn.Module<Tensor, Tensor[]>
{
    protected Backbone(string name) : base(name) { }

    /// <summary>Channels of C2..C5.</summary>
    public abstract long[] Channels { get; }

    /// <summary>Output strides of C2..C5 relative to the input.</summary>
    public abstract int[] Strides { get; }

    /// <summary>Channels of C1 (stride 2).</summary>
    public abstract long StemChannels { get; }

    /// <summary>
    /// Initialises the backbone from a TorchSharp state file with torchvision's names (ImageNet weights exported
    /// from PyTorch with TorchSharp's exportsd.py). Every parameter and buffer must be found with its shape;
    /// the classifier (fc.*) and BN step counters of a torchvision checkpoint are ignored.
    /// </summary>
    public void LoadWeights(string path)
    {
        const string Fix = "export torchvision's weights for this backbone and width with TorchSharp's exportsd.py (docs/pretraining.md)";
        var found = new Dictionary<string, bool>();
        string[] ignored = ["fc.weight", "fc.bias"];
        try
        {
            load(path, strict: false, skip: ignored, loadedParameters: found);
        }
        // A file that is not a state dict fails anywhere from the reader (bad lengths, unreadable file) to libtorch
        // (an unknown dtype: ExternalException with a native stack trace): all of it is "not weights", in one line.
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or FormatException or UnauthorizedAccessException
                                      or System.Runtime.InteropServices.ExternalException or OverflowException or NotSupportedException
                                      or IndexOutOfRangeException or OutOfMemoryException)
        {
            string reason = e.Message.Split('\n', 2)[0].Trim();
            throw new InputException(path, $"is not {GetName()} weights (loading it failed: {reason})", Fix);
        }
        var missing = state_dict().Keys.Where(k => !found.GetValueOrDefault(k) && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        var unexpected = found.Where(kv => !kv.Value && !ignored.Contains(kv.Key) && !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Select(kv => kv.Key).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InputException(path, $"does not match {GetName()}: missing {Describe(missing)}, unexpected {Describe(unexpected)}", Fix);
    }

    static string Describe(List<string> keys) =>
        keys.Count == 0 ? "none" : $"{keys.Count} ({string.Join(", ", keys.Take(3))}{(keys.Count > 3 ? ", …" : "")})";
}

/// <summary>Backbones by name.</summary>
public static class BackboneRegistry
{
    static readonly Dictionary<string, Func<BackboneOptions, Backbone>> factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["resnet18"] = o => new ResNet("resnet18", false, [2, 2, 2, 2], o),
        ["resnet34"] = o => new ResNet("resnet34", false, [3, 4, 6, 3], o),
        ["resnet50"] = o => new ResNet("resnet50", true, [3, 4, 6, 3], o),
        ["resnet101"] = o => new ResNet("resnet101", true, [3, 4, 23, 3], o),
    };

    public static IReadOnlyCollection<string> Names => factories.Keys;

    public static Backbone Create(string name, BackboneOptions options) =>
        factories.TryGetValue(name, out var factory)
            ? factory(options)
            : throw new InputException("model.backbone", $"unknown backbone '{name}'", $"use one of: {string.Join(", ", factories.Keys)}");

    /// <summary>A classifier at a segmentation backbone's width and stem (for pretraining; its fc.* is skipped when loaded as a backbone).</summary>
    public static ResNet CreateClassifier(string name, BackboneOptions options, int classes) => name.ToLowerInvariant() switch
    {
        "resnet18" => new ResNet(name, false, [2, 2, 2, 2], options, classes),
        "resnet34" => new ResNet(name, false, [3, 4, 6, 3], options, classes),
        "resnet50" => new ResNet(name, true, [3, 4, 6, 3], options, classes),
        "resnet101" => new ResNet(name, true, [3, 4, 23, 3], options, classes),
        _ => throw new InputException("backbone", $"unknown backbone '{name}'", $"use one of: {string.Join(", ", factories.Keys)}"),
    };

    /// <summary>A torchvision-compatible classifier (for parameter and FLOP parity checks).</summary>
    public static ResNet CreateClassifier(string name, int classes = 1000) => CreateClassifier(name, new BackboneOptions(), classes);
}
