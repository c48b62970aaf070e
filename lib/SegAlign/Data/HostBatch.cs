namespace SegAlign.Data;

/// <summary>A batch in host memory, already normalised: images N×C×H×W, labels N×H×W (255 = ignore).</summary>
public sealed record HostBatch(int Iteration, float[] Images, long[] Labels, int Count, int Channels, int Height, int Width)
{
    /// <summary>Stacks samples of equal size into one normalised batch.</summary>
    public static HostBatch Collate(int iteration, IReadOnlyList<Sample> samples, (float[] Mean, float[] Std) normalisation)
    {
        var first = samples[0];
        int c = first.Channels, h = first.Height, w = first.Width, plane = h * w;
        // Every element is written below: skip the zeroing of 2.5 MB per 128-px batch of 8.
        var images = GC.AllocateUninitializedArray<float>(samples.Count * c * plane);
        var labels = GC.AllocateUninitializedArray<long>(samples.Count * plane);
        for (int b = 0; b < samples.Count; b++)
        {
            var s = samples[b];
            if (s.Height != h || s.Width != w || s.Channels != c)
                throw new InputException(s.Id, $"is {s.Width}×{s.Height}×{s.Channels} but the batch started with {w}×{h}×{c}",
                    "set data.cropSize so every training sample has the same size");
            for (int ch = 0; ch < c; ch++)
            {
                float mean = normalisation.Mean[ch % normalisation.Mean.Length], inverseStd = 1f / normalisation.Std[ch % normalisation.Std.Length];
                var source = s.Image.AsSpan(ch * plane, plane);
                var target = images.AsSpan((b * c + ch) * plane, plane);
                for (int i = 0; i < plane; i++) target[i] = (source[i] - mean) * inverseStd;
            }
            for (int i = 0; i < plane; i++) labels[b * plane + i] = s.Label[i];
        }
        return new HostBatch(iteration, images, labels, samples.Count, c, h, w);
    }
}
