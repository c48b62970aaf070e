using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SegAlign.Models;
using static TorchSharp.torch;

namespace SegAlign.Training;

/// <summary>Where a checkpoint was taken: enough to continue a run exactly.</summary>
public sealed record CheckpointInfo(int Iteration, int Seed, string ConfigHash);

/// <summary>
/// A self-describing checkpoint: a JSON header (iteration, seed, config hash, tensor directory) followed by
/// raw tensor bytes and — from format 2 — the SHA-256 of everything before it, verified on every load so a flipped
/// byte is refused instead of trained on. Holds the model's state dict, the optimiser's momentum buffers ("optim/…")
/// and the CPU generator state ("rng/cpu"), so a resumed run continues bit for bit. Written atomically. Format 1
/// files (no checksum) still load.
/// </summary>
public static class Checkpoint
{
    const string Magic = "SEGALIGN-CHECKPOINT-2\n";
    const string MagicWithoutChecksum = "SEGALIGN-CHECKPOINT-1\n";
    const int ChecksumLength = 32;

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
            using var checksum = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Write(byte[] bytes)
            {
                stream.Write(bytes);
                checksum.AppendData(bytes);
            }
            Write(Encoding.ASCII.GetBytes(Magic));
            var length = new byte[sizeof(int)];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, header.Length); // as BinaryReader reads it
            Write(length);
            Write(header);
            foreach (var blob in blobs) Write(blob);
            stream.Write(checksum.GetHashAndReset());
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
            if (magic == Magic) VerifyChecksum(path, stream);
            else if (magic != MagicWithoutChecksum) throw new InputException(path, "is not a SegAlign checkpoint", "point --resume at a run folder written by segalign train");
            stream.Position = Magic.Length;
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

    /// <summary>Compares the file's trailing SHA-256 with that of everything before it.</summary>
    static void VerifyChecksum(string path, FileStream stream)
    {
        const string fix = "delete it and train again (a run folder's checkpoint.ckpt: delete that file and rerun with --resume, which starts the run over)";
        if (stream.Length < Magic.Length + sizeof(int) + ChecksumLength) throw new InputException(path, "is truncated", fix);
        stream.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long left = stream.Length - ChecksumLength; left > 0;)
        {
            int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0) throw new InputException(path, "is truncated", fix);
            hash.AppendData(buffer, 0, read);
            left -= read;
        }
        var stored = new byte[ChecksumLength];
        stream.ReadExactly(stored);
        if (!CryptographicOperations.FixedTimeEquals(stored, hash.GetHashAndReset()))
            throw new InputException(path, "is corrupt (its SHA-256 checksum does not match its contents)", fix);
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

    /// <summary>
    /// A training state: the model's weights, the optimiser's buffers ("optim/…"), the weight average ("ema/…") and the
    /// CPU generator ("rng/cpu") — enough to continue bit for bit.
    /// </summary>
    public static void SaveTraining(string path, nn.Module model, Optimiser optimiser, WeightAverage? average, CheckpointInfo info)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, value) in model.state_dict()) tensors[name] = value;
        foreach (var (name, value) in optimiser.State) tensors["optim/" + name] = value;
        if (average is not null) foreach (var (name, value) in average.State) tensors["ema/" + name] = value;
        tensors["rng/cpu"] = TorchSharp.torch.get_rng_state();
        Save(path, info, tensors);
    }

    /// <summary>Restores what <see cref="SaveTraining"/> wrote; returns the iteration to continue from.</summary>
    /// <param name="fix">What to tell the user when the checkpoint belongs to another config or seed.</param>
    public static int RestoreTraining(string path, nn.Module model, Optimiser optimiser, WeightAverage? average, string hash, int seed, string fix)
    {
        var (info, tensors) = Load(path);
        try
        {
            if (info.ConfigHash != hash || info.Seed != seed)
                throw new InputException(path, $"was written by config {info.ConfigHash}, seed {info.Seed}, not config {hash}, seed {seed}", fix);
            LoadModelWeights(model, tensors, path, fix);
            var device = model.Device();
            optimiser.Load(tensors.Where(t => t.Key.StartsWith("optim/", StringComparison.Ordinal)).ToDictionary(t => t.Key["optim/".Length..], t => t.Value.to(device)));
            if (tensors.TryGetValue("rng/cpu", out var rng)) TorchSharp.torch.set_rng_state(rng);
            average?.Load(tensors.Where(t => t.Key.StartsWith("ema/", StringComparison.Ordinal)).ToDictionary(t => t.Key["ema/".Length..], t => t.Value));
            return info.Iteration;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
