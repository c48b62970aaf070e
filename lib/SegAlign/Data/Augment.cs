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
        double scale = options.MinScale == options.MaxScale ? options.MinScale : rng.Uniform(options.MinScale, options.MaxScale);
        var result = scale == 1 ? sample : Resize(sample, Math.Max(1, (int)Math.Round(sample.Height * scale)), Math.Max(1, (int)Math.Round(sample.Width * scale)));
        if (cropSize is int crop) result = RandomCrop(result, crop, rng);
        if (options.HorizontalFlip && rng.Chance(0.5)) result = FlipHorizontal(result);
        return result;
    }

    /// <summary>Bilinear for the image (pixel-centre aligned, as align_corners=false), nearest for the label.</summary>
    public static Sample Resize(Sample s, int height, int width)
    {
        int channels = s.Channels, inPlane = s.Height * s.Width, outPlane = height * width;
        var image = new float[channels * outPlane];
        var label = new byte[outPlane];
        double sy = (double)s.Height / height, sx = (double)s.Width / width;
        for (int y = 0; y < height; y++)
        {
            double fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, s.Height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, s.Height - 1);
            double wy = fy - y0;
            int ny = Math.Min(s.Height - 1, (int)Math.Floor((y + 0.5) * sy));
            for (int x = 0; x < width; x++)
            {
                double fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, s.Width - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, s.Width - 1);
                double wx = fx - x0;
                for (int c = 0; c < channels; c++)
                {
                    int b = c * inPlane;
                    double top = s.Image[b + y0 * s.Width + x0] * (1 - wx) + s.Image[b + y0 * s.Width + x1] * wx;
                    double bottom = s.Image[b + y1 * s.Width + x0] * (1 - wx) + s.Image[b + y1 * s.Width + x1] * wx;
                    image[c * outPlane + y * width + x] = (float)(top * (1 - wy) + bottom * wy);
                }
                int nx = Math.Min(s.Width - 1, (int)Math.Floor((x + 0.5) * sx));
                label[y * width + x] = s.Label[ny * s.Width + nx];
            }
        }
        return new Sample(image, label, height, width, s.Id);
    }

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
