using System.Buffers.Binary;
using SegAlign.Config;
using SegAlign.Data;

namespace SegAlign.Tests.Data;

public class FashionScenesTests
{
    static readonly FashionScenesOptions Small = new() { Size = 48, ValidationScenes = 20 };

    [Fact]
    public void A_scene_is_a_pure_function_of_split_seed_and_index()
    {
        var a = FashionScenes.Train(Small, seed: 3).Get(17);
        var b = FashionScenes.Train(Small, seed: 3).Get(17);
        var other = FashionScenes.Train(Small, seed: 4).Get(17);
        Assert.Equal(a.Image, b.Image);
        Assert.Equal(a.Label, b.Label);
        Assert.NotEqual(a.Label, other.Label);
        Assert.NotEqual(FashionScenes.Train(Small, 3).Get(17).Label, FashionScenes.Validation(Small).Get(17).Label);
    }

    [Fact]
    public void Labels_are_background_items_or_ignore_and_images_are_in_range()
    {
        var scenes = FashionScenes.Validation(Small);
        var seen = new HashSet<byte>();
        for (int i = 0; i < scenes.Count; i++)
        {
            var s = scenes.Get(i);
            Assert.Equal(3 * 48 * 48, s.Image.Length);
            Assert.All(s.Image, v => Assert.InRange(v, 0f, 1f));
            foreach (var l in s.Label) seen.Add(l);
        }
        Assert.All(seen, l => Assert.True(l <= 10 || l == 255));
        Assert.Contains((byte)0, seen);
        Assert.True(seen.Count(l => l is >= 1 and <= 10) >= 6, "scenes should show many item classes");
    }

    [Fact]
    public void Neither_a_global_class_nor_a_colour_threshold_solves_a_scene()
    {
        var scenes = FashionScenes.Validation(Small);
        long background = 0, valid = 0;
        var bestThreshold = 0.0;
        var samples = Enumerable.Range(0, scenes.Count).Select(scenes.Get).ToList();
        foreach (var s in samples)
            foreach (var l in s.Label) { if (l != 255) valid++; if (l == 0) background++; }
        // The most frequent class (background) covers well under 80 % of the pixels.
        Assert.InRange((double)background / valid, 0.2, 0.8);

        // Best single-channel threshold (either polarity) for foreground vs background, over all scenes at once.
        for (int c = 0; c < 3; c++)
            for (double t = 0.05; t < 1; t += 0.05)
            {
                long correct = 0, total = 0;
                foreach (var s in samples)
                    for (int p = 0; p < s.Label.Length; p++)
                    {
                        if (s.Label[p] == 255) continue;
                        bool above = s.Image[c * s.Label.Length + p] > t, item = s.Label[p] != 0;
                        if (above == item) correct++;
                        total++;
                    }
                double accuracy = (double)correct / total;
                bestThreshold = Math.Max(bestThreshold, Math.Max(accuracy, 1 - accuracy));
            }
        Assert.True(bestThreshold < 0.8, $"a threshold separates items from background with {bestThreshold:P0} accuracy");
    }

    [Fact]
    public void Train_scenes_use_only_train_images_and_validation_scenes_only_test_images()
    {
        // Fake IDX files: every train image is class 0 (T-shirt), every t10k image class 9 (Ankle boot).
        using var folder = new TempFolder();
        WriteSplit(folder.Path, "train", count: 20, label: 0);
        WriteSplit(folder.Path, "t10k", count: 20, label: 9);
        var options = Small with { ValidationScenes = 10 };
        var trainLabels = Enumerable.Range(0, 10).SelectMany(i => FashionScenes.Train(options, 1, folder.Path).Get(i).Label).ToHashSet();
        var validationLabels = Enumerable.Range(0, 10).SelectMany(i => FashionScenes.Validation(options, folder.Path).Get(i).Label).ToHashSet();
        Assert.Subset(new HashSet<byte> { 0, 1, 255 }, trainLabels);
        Assert.Subset(new HashSet<byte> { 0, 10, 255 }, validationLabels);
        Assert.Contains((byte)1, trainLabels);
        Assert.Contains((byte)10, validationLabels);
    }

    [Fact]
    public void A_truncated_IDX_file_is_named_in_the_error()
    {
        using var folder = new TempFolder();
        WriteSplit(folder.Path, "train", 5, 0);
        WriteSplit(folder.Path, "t10k", 5, 0);
        string images = Path.Combine(folder.Path, "train-images-idx3-ubyte");
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InputException>(() => FashionMnist.Load(folder.Path));
        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_file_with_the_wrong_magic_is_named_in_the_error()
    {
        using var folder = new TempFolder();
        WriteSplit(folder.Path, "train", 5, 0);
        WriteSplit(folder.Path, "t10k", 5, 0);
        string labels = Path.Combine(folder.Path, "t10k-labels-idx1-ubyte");
        File.WriteAllBytes(labels, [0, 0, 9, 9, 0, 0, 0, 1, 0]);
        var e = Assert.Throws<InputException>(() => FashionMnist.Load(folder.Path));
        Assert.Contains(labels, e.Message);
    }

    [Fact]
    public void A_missing_folder_says_which_files_are_expected()
    {
        var e = Assert.Throws<InputException>(() => FashionMnist.Locate("/nonexistent/fashion"));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void Invalid_options_name_the_field()
    {
        var e = Assert.Throws<InputException>(() => FashionScenes.Validation(Small with { Size = 4 }));
        Assert.Contains("size", e.Message);
        e = Assert.Throws<InputException>(() => FashionScenes.Validation(Small with { MinItems = 5, MaxItems = 2 }));
        Assert.Contains("minItems", e.Message);
    }

    // Writes <split>-images-idx3-ubyte (a filled 20×20 square in each 28×28 image) and labels, uncompressed.
    static void WriteSplit(string folder, string split, int count, byte label)
    {
        var images = new byte[16 + count * 784];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x0803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
        for (int i = 0; i < count; i++)
            for (int y = 4; y < 24; y++)
                for (int x = 4; x < 24; x++)
                    images[16 + i * 784 + y * 28 + x] = (byte)(100 + (x + y + i) % 100);
        File.WriteAllBytes(Path.Combine(folder, $"{split}-images-idx3-ubyte"), images);
        var labels = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x0801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        Array.Fill(labels, label, 8, count);
        File.WriteAllBytes(Path.Combine(folder, $"{split}-labels-idx1-ubyte"), labels);
    }

    [Fact]
    public void The_committed_full_preset_scenes_are_unchanged()
    {
        // Committed results are keyed by config hash, not by pixels: a change to the scene generator must show here.
        var options = new FashionScenesOptions { Size = 64, TrainScenes = 12800 };
        Assert.Equal("5c78a9dfa3b0c4e1", PixelHash(FashionScenes.Validation(options).Get(0), FashionScenes.Validation(options).Get(7), FashionScenes.Train(options, seed: 0).Get(11)));
    }

    // The first 16 hex digits of SHA-256 over the samples' image floats and labels, in order.
    static string PixelHash(params Sample[] samples)
    {
        using var sha = System.Security.Cryptography.SHA256.Create();
        foreach (var sample in samples)
        {
            var bytes = new byte[sample.Image.Length * 4];
            Buffer.BlockCopy(sample.Image, 0, bytes, 0, bytes.Length);
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
            sha.TransformBlock(sample.Label, 0, sample.Label.Length, null, 0);
        }
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexStringLower(sha.Hash!)[..16];
    }

    [Fact]
    public void The_committed_protocol_v2_training_samples_are_unchanged()
    {
        // The full preset's 128-px scenes through its scale/crop/flip augmentation, and a validation scene: the pixels
        // behind results/full/. A faster generator must keep this hash (pinned before the one-pass rewrite of 2026-12-06).
        var data = SegAlign.Experiments.ExperimentPlan.ConfigForDecoder("fpn", "full", null).Data;
        var train = DatasetRegistry.CreateTrain(data, seed: 0);
        Assert.Equal("fecaf748fef8d539", PixelHash(train.Get(0), train.Get(5), train.Get(12800 + 5), DatasetRegistry.CreateValidation(data).Get(3)));
    }

    [Fact]
    public void Generated_scenes_are_augmented_only_when_asked_and_keep_their_size()
    {
        var plain = new DataConfig { FashionScenes = Small };
        Assert.IsType<FashionScenes>(DatasetRegistry.CreateTrain(plain, 0));
        var augmented = plain with { Augment = new AugmentOptions { MinScale = 0.75, MaxScale = 1.25, HorizontalFlip = true } };
        var train = DatasetRegistry.CreateTrain(augmented, 0);
        Assert.IsType<AugmentedDataset>(train);
        var sample = train.Get(3);
        Assert.Equal((48, 48), (sample.Height, sample.Width));
        Assert.NotEqual(DatasetRegistry.CreateTrain(plain, 0).Get(3).Label, sample.Label);
    }
}
