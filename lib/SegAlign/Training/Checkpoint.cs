using System.Text;
using System.Text.Json;
using SegAlign.Models;
using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>Where a checkpoint was taken: enough to continue a run exactly.</summary>
public sealed record CheckpointInfo(int Iteration, int Seed, string ConfigHash);

/// <summary>
/// A self-describing checkpoint: a JSON header (iteration, seed, config hash, tensor directory) followed by
/// raw tensor bytes. Holds the model's state dict, the optimiser's momentum buffers ("optim/…") and the
/// CPU generator state ("rng/cpu"), so a resumed run continues bit for bit. Written atomically.
/// </summary>
public static class Checkpoint
{
    const string Magic = "SEGALIGN-CHECKPOINT-1\n";

    sealed record Entry(string Name, string DType, long[] Shape, long Offset, long Length);
    sealed record Header(CheckpointInfo Info, List<Entry> Tensors);

    public static void Save(string path, CheckpointInfo info, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var entries = new List<Entry>();
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            using var host = tensor.detach().cpu().contiguous();
            var bytes = host.bytes.ToArray();
            entries.Add(new Entry(name, host.dtype.ToString(), host.shape, offset, bytes.Length));
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var header = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Header(info, entries), Json.Options));
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(header.Length);
            writer.Write(header);
            foreach (var blob in blobs) writer.Write(blob);
        });
    }

    /// <summary>Reads a checkpoint; tensors are CPU tensors owned by the caller.</summary>
    public static (CheckpointInfo Info, Dictionary<string, Tensor> Tensors) Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream);
            var magic = Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length));
            if (magic != Magic) throw new InputException(path, "is not a SegAlign checkpoint", "point --resume at a run folder written by segalign train");
            int headerLength = reader.ReadInt32();
            if (headerLength <= 0 || headerLength > 64 << 20) throw new InputException(path, "has a corrupt header", "delete it and train again");
            var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(headerLength), Json.Options)
                         ?? throw new InputException(path, "has an empty header", "delete it and train again");
            long dataStart = stream.Position;
            var tensors = new Dictionary<string, Tensor>();
            foreach (var entry in header.Tensors)
            {
                stream.Position = dataStart + entry.Offset;
                var bytes = reader.ReadBytes(checked((int)entry.Length));
                if (bytes.Length != entry.Length) throw new InputException(path, $"is truncated (tensor {entry.Name})", "delete it and train again");
                var dtype = Enum.Parse<ScalarType>(entry.DType);
                var t = empty(entry.Shape, dtype);
                t.bytes = bytes;
                t.DetachFromDisposeScope();
                tensors[entry.Name] = t;
            }
            return (header.Info, tensors);
        }
        catch (EndOfStreamException)
        {
            throw new InputException(path, "is truncated", "delete it and train again");
        }
        catch (JsonException e)
        {
            throw new InputException(path, $"has an unreadable header ({e.Message})", "delete it and train again");
        }
    }

    /// <summary>
    /// Copies a checkpoint's model weights (the entries without a "section/" prefix) into <paramref name="model"/>
    /// on its device. A checkpoint written by another architecture is bad input, named by <paramref name="path"/>
    /// and answered with <paramref name="fix"/>.
    /// </summary>
    public static void LoadModelWeights(nn.Module model, IReadOnlyDictionary<string, Tensor> tensors, string path, string fix)
    {
        var device = model.Device();
        var state = tensors.Where(t => !t.Key.Contains('/')).ToDictionary(t => t.Key, t => t.Value.to(device));
        try
        {
            var (missing, unexpected) = model.load_state_dict(state, strict: false);
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new InputException(path, $"does not match the model (missing {string.Join(", ", missing.Take(3))}; unexpected {string.Join(", ", unexpected.Take(3))})", fix);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }
}
