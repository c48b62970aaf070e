using SegAlign.Config;
using SegAlign.Data;

namespace SegAlign.Tests.Data;

public class AugmentedDatasetTests
{
    const int H = 8, W = 16;
    static readonly AugmentOptions full = new() { MinScale = 0.5, MaxScale = 2.0, HorizontalFlip = true };

    static InMemoryDataset Source(int count = 4) =>
        new(Enumerable.Range(0, count).Select(i => InMemoryDataset.Coordinates(H, W, i)).ToArray());

    [Fact]
    public void Augmentation_is_a_function_of_seed_and_index_only()
    {
        var a = new AugmentedDataset(Source(), full, 12, seed: 5);
        var b = new AugmentedDataset(Source(), full, 12, seed: 5);

        var forward = Enumerable.Range(0, 4).Select(a.Get).ToArray();
        var backward = Enumerable.Range(0, 4).Reverse().Select(b.Get).Reverse().ToArray();

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(forward[i].Image, backward[i].Image);
            Assert.Equal(forward[i].Label, backward[i].Label);
        }
    }

    [Fact]
    public void Another_seed_gives_other_augmentations()
    {
        var a = new AugmentedDataset(Source(), full, 12, seed: 5);
        var b = new AugmentedDataset(Source(), full, 12, seed: 6);

        Assert.Contains(Enumerable.Range(0, 4), i => !a.Get(i).Label.SequenceEqual(b.Get(i).Label));
    }

    [Fact]
    public void Indices_past_the_end_wrap_to_the_same_image_with_a_fresh_augmentation()
    {
        var augmented = new AugmentedDataset(Source(), full, 12, seed: 1);

        Assert.Equal(4, augmented.Count);
        Assert.All(Enumerable.Range(0, 8), k => Assert.Equal(augmented.Get(k).Id, augmented.Get(k + 4 * 7).Id));
        Assert.Contains(Enumerable.Range(0, 4), i => !augmented.Get(i).Label.SequenceEqual(augmented.Get(i + 4).Label));
    }

    [Fact]
    public void A_crop_larger_than_the_image_pads_labels_with_255_and_images_with_0()
    {
        var augmented = new AugmentedDataset(Source(1), new AugmentOptions(), cropSize: 20, seed: 0);

        var sample = augmented.Get(0);

        Assert.Equal((20, 20), (sample.Height, sample.Width));
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 20; x++)
            {
                bool inside = y < H && x < W;
                int p = y * 20 + x;
                Assert.Equal(inside ? (byte)((y * W + x) % 250) : (byte)255, sample.Label[p]);
                if (!inside) Assert.Equal(0f, sample.Image[p]);
            }
    }

    [Fact]
    public void Flips_move_image_and_label_together()
    {
        var augmented = new AugmentedDataset(Source(1), new AugmentOptions { HorizontalFlip = true }, cropSize: null, seed: 2);
        var flips = new HashSet<bool>();

        for (int k = 0; k < 16; k++)
        {
            var s = augmented.Get(k);
            bool flipped = s.Image[0] > 0.5f; // column 0 holds x = W−1 after a flip
            flips.Add(flipped);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    int sourceX = (int)Math.Round(s.Image[y * W + x] * W), sourceY = (int)Math.Round(s.Image[H * W + y * W + x] * H);
                    Assert.Equal(flipped ? W - 1 - x : x, sourceX);
                    Assert.Equal((byte)((sourceY * W + sourceX) % 250), s.Label[y * W + x]);
                }
        }
        Assert.Equal(2, flips.Count); // both outcomes occur
    }

    [Fact]
    public void Rescaling_never_invents_label_values()
    {
        var label = new byte[H * W];
        byte[] values = [0, 3, 7, 255];
        for (int p = 0; p < label.Length; p++) label[p] = values[p / 3 % values.Length];
        var source = new InMemoryDataset([InMemoryDataset.Coordinates(H, W) with { Label = label }]);
        var augmented = new AugmentedDataset(source, new AugmentOptions { MinScale = 0.3, MaxScale = 3.7, HorizontalFlip = true }, cropSize: 24, seed: 9);

        for (int k = 0; k < 20; k++)
            Assert.All(augmented.Get(k).Label, v => Assert.Contains(v, values));
    }

    [Fact]
    public void Metadata_is_the_inner_datasets()
    {
        var source = Source();
        var augmented = new AugmentedDataset(source, full, 12, seed: 0);

        Assert.Equal(source.Name, augmented.Name);
        Assert.Equal(source.NumClasses, augmented.NumClasses);
        Assert.Equal(source.ClassNames, augmented.ClassNames);
        Assert.Equal(source.Normalisation, augmented.Normalisation);
    }

    [Fact]
    public void Bad_options_are_input_errors()
    {
        Assert.Throws<InputException>(() => new AugmentedDataset(Source(), new AugmentOptions { MinScale = 2, MaxScale = 1 }, 12, 0));
        Assert.Equal("data.cropSize", Assert.Throws<InputException>(() => new AugmentedDataset(Source(), full, 0, 0)).Where);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentedDataset(Source(), full, 12, 0).Get(-1));
    }
}
