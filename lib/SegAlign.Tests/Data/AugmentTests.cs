using SegAlign.Config;
using SegAlign.Data;

namespace SegAlign.Tests.Data;

public class AugmentTests
{
    [Fact]
    public void Upscaling_a_label_by_two_replicates_each_pixel()
    {
        var s = new Sample(new float[3 * 4], [1, 2, 3, 4], 2, 2, "s");

        var resized = Augment.Resize(s, 4, 4);

        Assert.Equal(new byte[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, resized.Label);
    }

    [Fact]
    public void Downscaling_a_label_picks_existing_values()
    {
        var s = InMemoryDataset.Coordinates(8, 16);

        var resized = Augment.Resize(s, 3, 5);

        Assert.All(resized.Label, v => Assert.Contains(v, s.Label));
        Assert.Equal((3, 5), (resized.Height, resized.Width));
    }

    [Fact]
    public void Resizing_keeps_a_constant_image_constant_and_interpolates_a_ramp()
    {
        var constant = new Sample(Enumerable.Repeat(0.25f, 3 * 6).ToArray(), new byte[6], 2, 3, "c");
        Assert.All(Augment.Resize(constant, 5, 7).Image, v => Assert.Equal(0.25f, v, 1e-6f));

        // A 1×2 ramp [0, 1] upscaled to 1×4 samples at centres −0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, 1.
        var ramp = new Sample([0f, 1f, 0f, 1f, 0f, 1f], [0, 1], 1, 2, "r");
        Assert.Equal(new[] { 0f, 0.25f, 0.75f, 1f }, Augment.Resize(ramp, 1, 4).Image[..4]);
    }

    [Fact]
    public void A_crop_inside_the_image_is_a_window_of_it()
    {
        var s = InMemoryDataset.Coordinates(8, 16);
        var seenLeft = new HashSet<int>();

        for (ulong seed = 0; seed < 20; seed++)
        {
            var crop = Augment.RandomCrop(s, 6, new Rng(seed));
            int left = (int)Math.Round(crop.Image[0] * 16), top = (int)Math.Round(crop.Image[6 * 6] * 8);
            seenLeft.Add(left);
            Assert.InRange(left, 0, 10);
            Assert.InRange(top, 0, 2);
            for (int y = 0; y < 6; y++)
                for (int x = 0; x < 6; x++)
                    Assert.Equal(s.Label[(top + y) * 16 + left + x], crop.Label[y * 6 + x]);
        }
        Assert.True(seenLeft.Count > 3, "crop positions should vary with the generator");
    }

    [Fact]
    public void Flipping_twice_is_the_identity()
    {
        var s = InMemoryDataset.Coordinates(5, 7);

        var flipped = Augment.FlipHorizontal(s);
        var back = Augment.FlipHorizontal(flipped);

        Assert.Equal(s.Label[6], flipped.Label[0]);
        Assert.Equal(s.Image, back.Image);
        Assert.Equal(s.Label, back.Label);
    }

    [Fact]
    public void Identity_options_without_a_crop_return_the_sample_unchanged()
    {
        var s = InMemoryDataset.Coordinates(5, 7);

        Assert.Same(s, Augment.Apply(s, new AugmentOptions(), null, new Rng(0)));
        Assert.True(new AugmentOptions().IsIdentity);
    }

    [Fact]
    public void Apply_scales_within_the_range_before_cropping()
    {
        var s = InMemoryDataset.Coordinates(10, 10);
        var options = new AugmentOptions { MinScale = 2, MaxScale = 2 };

        var result = Augment.Apply(s, options, null, new Rng(0));

        Assert.Equal((20, 20), (result.Height, result.Width));
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(2.0, 1.0)]
    [InlineData(1.0, 9.0)]
    public void Invalid_scale_ranges_are_rejected(double min, double max)
    {
        var error = Assert.Throws<InputException>(() => new AugmentOptions { MinScale = min, MaxScale = max }.Validate("data.augment"));
        Assert.StartsWith("data.augment", error.Where);
    }

    // Augment.Apply's definition, step by step: resize (unless the scale is 1), crop, flip — drawing scale, crop
    // position and flip from the generator in that order.
    static Sample Stepwise(Sample sample, AugmentOptions options, int? cropSize, Rng rng)
    {
        double scale = options.MinScale == options.MaxScale ? options.MinScale : rng.Uniform(options.MinScale, options.MaxScale);
        var result = scale == 1 ? sample : Augment.Resize(sample, Math.Max(1, (int)Math.Round(sample.Height * scale)), Math.Max(1, (int)Math.Round(sample.Width * scale)));
        if (cropSize is int crop) result = Augment.RandomCrop(result, crop, rng);
        if (options.HorizontalFlip && rng.Chance(0.5)) result = Augment.FlipHorizontal(result);
        return result;
    }

    [Theory]
    [InlineData(0.75, 1.25, 12)]  // the full preset's range: crops inside, and padding where the scale is below 1
    [InlineData(0.5, 2.0, 9)]
    [InlineData(1.0, 1.0, 6)]     // no resize: a crop and a flip of the original pixels
    [InlineData(1.5, 1.5, null)]  // no crop: the whole resized sample
    public void Apply_in_one_pass_equals_resize_then_crop_then_flip_bit_for_bit(double minScale, double maxScale, int? crop)
    {
        var source = new Rng(3);
        var image = Enumerable.Range(0, 3 * 11 * 13).Select(_ => (float)source.NextDouble()).ToArray();
        var label = Enumerable.Range(0, 11 * 13).Select(_ => (byte)source.Next(5)).ToArray();
        var s = new Sample(image, label, 11, 13, "random");
        var options = new AugmentOptions { MinScale = minScale, MaxScale = maxScale, HorizontalFlip = true };
        for (ulong seed = 0; seed < 24; seed++)
        {
            var expected = Stepwise(s, options, crop, new Rng(seed));
            var actual = Augment.Apply(s, options, crop, new Rng(seed));
            Assert.Equal((expected.Height, expected.Width), (actual.Height, actual.Width));
            Assert.Equal(expected.Label, actual.Label);
            Assert.Equal(expected.Image.Select(BitConverter.SingleToInt32Bits), actual.Image.Select(BitConverter.SingleToInt32Bits));
        }
    }
}
