using SegAlign.Config;

namespace SegAlign.Data;

/// <summary>
/// Random scale, crop with ignore-padding, and horizontal flip applied identically to an image and its
/// label. Each sample gets its own generator (seeded by run seed and sample index), so augmentation is
/// reproducible regardless of threading. Labels are only ever resized by nearest neighbour.
/// </summary>
public static class Augment
{
    public static Sample Apply(Sample sample, AugmentOptions options, int? cropSize, Rng rng)
    {
        // The draws, in the order that defines the augmentation: scale, crop position, flip.
        double scale = options.MinScale == options.MaxScale ? options.MinScale : rng.Uniform(options.MinScale, options.MaxScale);
        bool resized = scale != 1;
        int height = resized ? Math.Max(1, (int)Math.Round(sample.Height * scale)) : sample.Height;
        int width = resized ? Math.Max(1, (int)Math.Round(sample.Width * scale)) : sample.Width;
        var window = new Window(0, 0, height, width);
        if (cropSize is int crop) window = new Window(CropStart(height, crop, rng), CropStart(width, crop, rng), crop, crop);
        bool flip = options.HorizontalFlip && rng.Chance(0.5);
        if (!resized && cropSize is null && !flip) return sample;
        return ResizeCropFlip(sample, height, width, window, flip);
    }

    /// <summary>Where a crop of <paramref name="crop"/> starts along an axis of <paramref name="length"/> (0 when it needs padding).</summary>
    static int CropStart(int length, int crop, Rng rng) => length > crop ? rng.Next(length - crop + 1) : 0;

    /// <summary>Rows [Top, Top + Height) and columns [Left, Left + Width) of the resized sample; past its edge, padding.</summary>
    readonly record struct Window(int Top, int Left, int Height, int Width);

    /// <summary>
    /// The resampling behind <see cref="Resize"/> (to height×width), computed only for the window's pixels and mirrored if
    /// asked — equal bit for bit to resizing, then <see cref="RandomCrop"/>'s window, then <see cref="FlipHorizontal"/>.
    /// </summary>
    static Sample ResizeCropFlip(Sample s, int height, int width, Window window, bool flip)
    {
        int channels = s.Channels, inPlane = s.Height * s.Width, outPlane = window.Height * window.Width;
        int rows = Math.Min(window.Height, height - window.Top), cols = Math.Min(window.Width, width - window.Left);
        bool padded = rows < window.Height || cols < window.Width;
        // Padding is image 0 and label 255; without padding every element is written, so skip the zeroing.
        var image = padded ? new float[channels * outPlane] : GC.AllocateUninitializedArray<float>(channels * outPlane);
        var label = padded ? new byte[outPlane] : GC.AllocateUninitializedArray<byte>(outPlane);
        if (padded) Array.Fill(label, Sample.Ignore);
        bool identity = height == s.Height && width == s.Width;
        double sy = (double)s.Height / height, sx = (double)s.Width / width;
        // Column taps depend only on the column: computed once for the window, not once per row.
        var x0 = new int[cols]; var x1 = new int[cols]; var wx = new double[cols]; var nx = new int[cols];
        for (int x = 0; x < cols; x++)
        {
            int rx = window.Left + x;
            double fx = Math.Clamp((rx + 0.5) * sx - 0.5, 0, s.Width - 1);
            x0[x] = (int)fx; x1[x] = Math.Min(x0[x] + 1, s.Width - 1); wx[x] = fx - x0[x];
            nx[x] = Math.Min(s.Width - 1, (int)Math.Floor((rx + 0.5) * sx));
        }
        for (int y = 0; y < rows; y++)
        {
            int ry = window.Top + y;
            double fy = Math.Clamp((ry + 0.5) * sy - 0.5, 0, s.Height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, s.Height - 1);
            double wy = fy - y0;
            int ny = Math.Min(s.Height - 1, (int)Math.Floor((ry + 0.5) * sy));
            int outRow = y * window.Width;
            for (int x = 0; x < cols; x++)
            {
                int o = outRow + (flip ? window.Width - 1 - x : x);
                if (identity)
                {
                    int p = ry * s.Width + window.Left + x;
                    label[o] = s.Label[p];
                    for (int c = 0; c < channels; c++) image[c * outPlane + o] = s.Image[c * inPlane + p];
                    continue;
                }
                label[o] = s.Label[ny * s.Width + nx[x]];
                double w = wx[x];
                int a = y0 * s.Width + x0[x], b = y0 * s.Width + x1[x], d = y1 * s.Width + x0[x], e = y1 * s.Width + x1[x];
                for (int c = 0; c < channels; c++)
                {
                    var plane = s.Image.AsSpan(c * inPlane, inPlane);
                    double top = plane[a] * (1 - w) + plane[b] * w;
                    double bottom = plane[d] * (1 - w) + plane[e] * w;
                    image[c * outPlane + o] = (float)(top * (1 - wy) + bottom * wy);
                }
            }
        }
        return new Sample(image, label, window.Height, window.Width, s.Id);
    }

    /// <summary>Bilinear for the image (pixel-centre aligned, as align_corners=false), nearest for the label.</summary>
    public static Sample Resize(Sample s, int height, int width) => ResizeCropFlip(s, height, width, new Window(0, 0, height, width), flip: false);

    /// <summary>A crop×crop window at a random position; where the image is smaller, pads (image 0, label 255).</summary>
    public static Sample RandomCrop(Sample s, int crop, Rng rng)
    {
        int top = s.Height > crop ? rng.Next(s.Height - crop + 1) : 0, left = s.Width > crop ? rng.Next(s.Width - crop + 1) : 0;
        int channels = s.Channels, inPlane = s.Height * s.Width, outPlane = crop * crop;
        var image = new float[channels * outPlane];
        var label = new byte[outPlane];
        Array.Fill(label, Sample.Ignore);
        int rows = Math.Min(crop, s.Height - top), cols = Math.Min(crop, s.Width - left);
        for (int y = 0; y < rows; y++)
        {
            Array.Copy(s.Label, (top + y) * s.Width + left, label, y * crop, cols);
            for (int c = 0; c < channels; c++)
                Array.Copy(s.Image, c * inPlane + (top + y) * s.Width + left, image, c * outPlane + y * crop, cols);
        }
        return new Sample(image, label, crop, crop, s.Id);
    }

    public static Sample FlipHorizontal(Sample s)
    {
        int channels = s.Channels, plane = s.Height * s.Width;
        var image = new float[s.Image.Length];
        var label = new byte[s.Label.Length];
        for (int y = 0; y < s.Height; y++)
            for (int x = 0; x < s.Width; x++)
            {
                int from = y * s.Width + x, to = y * s.Width + (s.Width - 1 - x);
                label[to] = s.Label[from];
                for (int c = 0; c < channels; c++) image[c * plane + to] = s.Image[c * plane + from];
            }
        return new Sample(image, label, s.Height, s.Width, s.Id);
    }
}
