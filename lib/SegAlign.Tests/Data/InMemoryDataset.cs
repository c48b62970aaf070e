using SegAlign.Data;

namespace SegAlign.Tests.Data;

/// <summary>A dataset of given samples, for testing wrappers without files.</summary>
public sealed class InMemoryDataset(IReadOnlyList<Sample> samples, int numClasses = 251) : ISegmentationDataset
{
    public string Name => "in-memory/train";
    public int NumClasses => numClasses;
    public IReadOnlyList<string> ClassNames => Enumerable.Range(0, numClasses).Select(i => $"class {i}").ToArray();
    public IReadOnlyList<(byte R, byte G, byte B)> Palette => Datasets.MakePalette(numClasses);
    public int Count => samples.Count;
    public (float[] Mean, float[] Std) Normalisation => Datasets.ImageNet;
    public Sample Get(int index) => samples[index];

    /// <summary>
    /// A sample whose pixels say where they come from: channel 0 = x / width, channel 1 = y / height,
    /// channel 2 = the sample number; the label is a distinct value per position (below 250).
    /// </summary>
    public static Sample Coordinates(int height, int width, int number = 0)
    {
        int plane = height * width;
        var image = new float[3 * plane];
        var label = new byte[plane];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = y * width + x;
                image[p] = (float)x / width;
                image[plane + p] = (float)y / height;
                image[2 * plane + p] = number / 10f;
                label[p] = (byte)(p % 250);
            }
        return new Sample(image, label, height, width, $"sample-{number}");
    }
}
