using System.IO.Compression;
using SegAlign.Data;

namespace SegAlign.Evaluation;

/// <summary>
/// A run's arg-max predictions on its evaluation split, stored compactly (predictions.bin) so that a metric invented later
/// is computed from the committed predictions instead of retraining. The ground truth is regenerated from the config
/// (FashionScenes scenes are pure functions of their seed), so each pixel is stored as its residual against it:
/// 0 where the prediction equals the label, else prediction + 1. Mostly zeros with blocky runs, this deflates to a few
/// hundred bytes per 128-px scene. Layout (before deflate): "SAPR1", image count, then per image height, width
/// (int32 little-endian) and its residual bytes.
/// </summary>
public static class PredictionArchive
{
    static readonly byte[] Magic = "SAPR1"u8.ToArray();

    /// <summary>Collects predictions in evaluation order; <see cref="Save"/> writes them.</summary>
    public sealed class Writer
    {
        readonly List<(int Height, int Width, byte[] Residual)> images = [];

        public int Count => images.Count;

        public void Add(byte[] prediction, byte[] label, int height, int width)
        {
            if (prediction.Length != label.Length || label.Length != height * width)
                throw new ArgumentException($"prediction {prediction.Length} and label {label.Length} pixels for a {height}×{width} image");
            var residual = new byte[prediction.Length];
            for (int i = 0; i < residual.Length; i++)
            {
                if (prediction[i] == byte.MaxValue) throw new ArgumentException($"prediction 255 at pixel {i} is not a class");
                residual[i] = prediction[i] == label[i] ? (byte)0 : (byte)(prediction[i] + 1);
            }
            images.Add((height, width, residual));
        }

        /// <summary>The archive's bytes (deflated).</summary>
        public byte[] ToBytes()
        {
            using var output = new MemoryStream();
            using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            using (var writer = new BinaryWriter(deflate))
            {
                writer.Write(Magic);
                writer.Write(images.Count);
                foreach (var (h, w, residual) in images)
                {
                    writer.Write(h); writer.Write(w); writer.Write(residual);
                }
            }
            return output.ToArray();
        }

        public void Save(string path) => AtomicFile.WriteAllBytes(path, ToBytes());
    }

    /// <summary>Decodes an archive against the evaluation split it was made on; each prediction with its sample.</summary>
    public static IEnumerable<(byte[] Prediction, Sample Sample)> Read(string path, ISegmentationDataset split)
    {
        if (!File.Exists(path)) throw new InputException(path, "does not exist", "runs made before protocol v3 store no predictions: evaluate the checkpoint instead (segalign eval)");
        byte[] raw;
        try
        {
            using var input = new DeflateStream(File.OpenRead(path), CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            input.CopyTo(buffer);
            raw = buffer.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InputException(path, $"is not a deflated prediction archive ({e.Message})", "restore it from the repository, or evaluate the checkpoint again");
        }
        return Decode(raw, split, path);
    }

    static IEnumerable<(byte[], Sample)> Decode(byte[] raw, ISegmentationDataset split, string path)
    {
        using var reader = new BinaryReader(new MemoryStream(raw));
        const string fix = "restore it from the repository, or evaluate the checkpoint again";
        if (raw.Length < Magic.Length + 4 || !reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            throw new InputException(path, "does not start with SAPR1", fix);
        int count = reader.ReadInt32();
        if (count != split.Count)
            throw new InputException(path, $"holds {count} predictions, but the split {split.Name} has {split.Count} images", "evaluate it against the split it was made on (the run's own config)");
        for (int index = 0; index < count; index++)
        {
            var sample = split.Get(index);
            int h, w;
            byte[] residual;
            try
            {
                h = reader.ReadInt32(); w = reader.ReadInt32();
                residual = h == sample.Height && w == sample.Width ? reader.ReadBytes(h * w) : [];
            }
            catch (EndOfStreamException)
            {
                throw new InputException(path, $"ends inside image {index}", fix);
            }
            if (h != sample.Height || w != sample.Width || residual.Length != h * w)
                throw new InputException(path, $"image {index} is {h}×{w}, but the split's is {sample.Height}×{sample.Width}", fix);
            var prediction = new byte[residual.Length];
            for (int i = 0; i < prediction.Length; i++)
                prediction[i] = residual[i] == 0 ? sample.Label[i] : (byte)(residual[i] - 1);
            yield return (prediction, sample);
        }
    }
}
