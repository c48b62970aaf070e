using SegAlign.Data;
using Stb = StbImageSharp;

namespace SegAlign.Tests.Data;

public class ImageFileTests
{
    const int H = 8, W = 16;

    [Fact]
    public void ReadRgb_png_is_channel_major_and_exact()
    {
        using var temp = new TempFolder();
        var path = temp.File("image.png");
        var rgb = Fixtures.Gradient(H, W);
        Fixtures.WriteRgbPng(path, rgb, H, W);

        var (image, height, width) = ImageFile.ReadRgb(path);

        Assert.Equal((H, W), (height, width));
        Assert.Equal(3 * H * W, image.Length);
        int plane = H * W;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(rgb[p * 3 + c] / 255f, image[c * plane + p]);
    }

    [Fact]
    public void ReadRgb_jpg_is_close_to_the_original()
    {
        using var temp = new TempFolder();
        var path = temp.File("image.jpg");
        var rgb = Fixtures.Gradient(H, W);
        Fixtures.WriteJpg(path, rgb, H, W);

        var (image, height, width) = ImageFile.ReadRgb(path);

        Assert.Equal((H, W), (height, width));
        int plane = H * W;
        double meanError = Enumerable.Range(0, 3 * plane).Average(i => Math.Abs(image[i % 3 * plane + i / 3] - rgb[i] / 255.0));
        Assert.True(meanError < 0.05, $"mean JPEG error {meanError}");
    }

    [Fact]
    public void ReadRgb_replicates_a_greyscale_jpg_to_three_channels()
    {
        using var temp = new TempFolder();
        var path = temp.File("grey.jpg");
        var grey = Enumerable.Range(0, H * W).Select(i => (byte)(i * 2)).ToArray();
        Fixtures.WriteJpg(path, grey, H, W, components: 1);

        var (image, _, _) = ImageFile.ReadRgb(path);

        int plane = H * W;
        for (int p = 0; p < plane; p++)
        {
            Assert.Equal(image[p], image[plane + p]);
            Assert.Equal(image[p], image[2 * plane + p]);
        }
    }

    [Fact]
    public void ReadLabel_reads_8bit_greyscale_written_by_stb()
    {
        using var temp = new TempFolder();
        var path = temp.File("label.png");
        // Random values make stb choose varied row filters, which the reader must undo exactly.
        var rng = new Rng(7);
        var values = Enumerable.Range(0, 24 * 40).Select(_ => (byte)rng.Next(256)).ToArray();
        Fixtures.WriteGreyPng(path, values, 24, 40);

        var (label, height, width) = ImageFile.ReadLabel(path);

        Assert.Equal((24, 40), (height, width));
        Assert.Equal(values, label);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    [InlineData(2)]
    [InlineData(1)]
    public void ReadLabel_returns_palette_indices_not_colours(int depth)
    {
        using var temp = new TempFolder();
        var path = temp.File("palette.png");
        int levels = 1 << depth, height = 11, width = 13; // odd width: rows end mid-byte below 8 bits
        var rng = new Rng((ulong)depth);
        var indices = Enumerable.Range(0, height * width).Select(_ => (byte)rng.Next(levels)).ToArray();
        var palette = Fixtures.DistinctPalette(levels);
        File.WriteAllBytes(path, Fixtures.EncodeSingleChannelPng(indices, height, width, depth, palette));

        var (label, h, w) = ImageFile.ReadLabel(path);

        Assert.Equal((height, width), (h, w));
        Assert.Equal(indices, label);
        // Cross-check with stb, an independent decoder, which expands the palette to colours: index → colour must agree.
        var expanded = Stb.ImageResult.FromMemory(File.ReadAllBytes(path), Stb.ColorComponents.RedGreenBlue);
        for (int p = 0; p < label.Length; p++)
            Assert.Equal(palette[label[p]], (expanded.Data[p * 3], expanded.Data[p * 3 + 1], expanded.Data[p * 3 + 2]));
    }

    [Fact]
    public void ReadLabel_keeps_low_bit_depth_grey_values_as_stored()
    {
        using var temp = new TempFolder();
        var path = temp.File("grey4.png");
        var values = Enumerable.Range(0, H * W).Select(i => (byte)(i % 16)).ToArray();
        File.WriteAllBytes(path, Fixtures.EncodeSingleChannelPng(values, H, W, 4, palette: null));

        Assert.Equal(values, ImageFile.ReadLabel(path).Label);
    }

    [Fact]
    public void ReadLabel_rejects_colour_pngs_naming_the_file()
    {
        using var temp = new TempFolder();
        var path = temp.File("colour.png");
        Fixtures.WriteRgbPng(path, Fixtures.Gradient(H, W), H, W);

        var error = Assert.Throws<InputException>(() => ImageFile.ReadLabel(path));
        Assert.Equal(path, error.Where);
        Assert.Contains("RGB", error.Problem);
    }

    [Fact]
    public void ReadLabel_rejects_interlaced_pngs()
    {
        using var temp = new TempFolder();
        var path = temp.File("interlaced.png");
        File.WriteAllBytes(path, Fixtures.EncodeSingleChannelPng(new byte[H * W], H, W, 8, palette: null, interlaced: true));

        var error = Assert.Throws<InputException>(() => ImageFile.ReadLabel(path));
        Assert.Contains("interlaced", error.Problem);
    }

    [Fact]
    public void ReadLabel_rejects_files_that_are_not_png()
    {
        using var temp = new TempFolder();
        var path = temp.File("label.jpg");
        Fixtures.WriteJpg(path, Fixtures.Gradient(H, W), H, W);

        Assert.Equal(path, Assert.Throws<InputException>(() => ImageFile.ReadLabel(path)).Where);
    }

    [Theory]
    [InlineData("label.png", true)]
    [InlineData("image.png", false)]
    [InlineData("image.jpg", false)]
    public void Truncated_files_are_input_errors_naming_the_file(string name, bool asLabel)
    {
        using var temp = new TempFolder();
        var path = temp.File(name);
        if (asLabel) Fixtures.WriteGreyPng(path, new byte[H * W], H, W);
        else if (name.EndsWith(".jpg", StringComparison.Ordinal)) Fixtures.WriteJpg(path, Fixtures.Gradient(H, W), H, W);
        else Fixtures.WriteRgbPng(path, Fixtures.Gradient(H, W), H, W);
        Fixtures.Truncate(path);

        var error = Assert.Throws<InputException>(() => asLabel ? (object)ImageFile.ReadLabel(path) : ImageFile.ReadRgb(path));
        Assert.Equal(path, error.Where);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_flipped_byte_fails_the_png_crc()
    {
        using var temp = new TempFolder();
        var path = temp.File("label.png");
        Fixtures.WriteGreyPng(path, new byte[H * W], H, W);
        var bytes = File.ReadAllBytes(path);
        bytes[^20] ^= 0x10; // inside the IDAT data (IEND and the IDAT CRC are the last 16 bytes)
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InputException>(() => ImageFile.ReadLabel(path));
        Assert.Contains("CRC", error.Problem);
        Assert.Equal(path, Assert.Throws<InputException>(() => ImageFile.ReadRgb(path)).Where);
    }

    [Fact]
    public void Garbage_and_missing_files_are_input_errors()
    {
        using var temp = new TempFolder();
        var garbage = temp.File("garbage.jpg");
        File.WriteAllBytes(garbage, "not an image at all"u8.ToArray());
        var missing = temp.File("missing.png");

        Assert.Equal(garbage, Assert.Throws<InputException>(() => ImageFile.ReadRgb(garbage)).Where);
        Assert.Equal(missing, Assert.Throws<InputException>(() => ImageFile.ReadRgb(missing)).Where);
        Assert.Equal(missing, Assert.Throws<InputException>(() => ImageFile.ReadLabel(missing)).Where);
    }
}
