using System.IO.Compression;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SegAlign.Data;
using SegAlign.Experiments;
using SegAlign.Tests.Data;
using SegAlign.Config;
using SegAlign.Training;

namespace SegAlign.Tests.Reliability;

/// <summary>
/// Arbitrary bytes or JSON never crash a reader and never hang it: each input ends in a valid value or in the
/// project's one-line error (an <see cref="InputException"/> that names the file or field and says how to fix it).
/// </summary>
public class ReaderPropertyTests
{
    static readonly string folder = Directory.CreateTempSubdirectory("segalign-props-").FullName;
    static readonly TimeSpan limit = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="read"/> with a time limit; true when it returned or threw the project's error.</summary>
    static bool EndsCleanly(Action read, string where)
    {
        Exception? failure = null;
        var task = Task.Run(() =>
        {
            try { read(); }
            catch (InputException e) { if (!IsOneLine(e, where)) failure = e; }
            catch (Exception e) { failure = e; }
        });
        if (!task.Wait(limit)) throw new TimeoutException($"reading {where} did not finish within {limit.TotalSeconds} s");
        if (failure is not null) throw new Xunit.Sdk.XunitException($"reading {where} failed with {failure.GetType().Name}: {failure.Message}");
        return true;
    }

    static bool IsOneLine(InputException e, string where) =>
        !e.Message.Contains('\n') && e.Message.Contains("Fix:", StringComparison.Ordinal) && e.Message.Contains(where, StringComparison.Ordinal);

    static string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(folder, $"{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // ---- IDX ----

    static byte[] IdxHeader(int rank, int[] dims) =>
        [0, 0, 8, (byte)rank, .. dims.SelectMany(d => BitConverter.IsLittleEndian ? BitConverter.GetBytes(d).Reverse() : BitConverter.GetBytes(d))];

    [Property(MaxTest = 200)]
    public bool Idx_reader_survives_arbitrary_bytes(byte[] bytes, bool gzip)
    {
        string path = Write(gzip ? "x-idx3-ubyte.gz" : "x-idx3-ubyte", bytes);
        return EndsCleanly(() => Idx.ReadBytes(path, 3), path);
    }

    [Property(MaxTest = 200)]
    public bool Idx_reader_survives_a_valid_header_with_arbitrary_sizes_and_data(int a, int b, int c, byte[] data, bool gzip)
    {
        byte[] bytes = [.. IdxHeader(3, [a, b, c]), .. data];
        if (gzip)
        {
            using var memory = new MemoryStream();
            using (var zip = new GZipStream(memory, CompressionLevel.Fastest)) zip.Write(bytes);
            bytes = memory.ToArray();
        }
        string path = Write(gzip ? "y-idx3-ubyte.gz" : "y-idx3-ubyte", bytes);
        return EndsCleanly(() =>
        {
            var (dims, values) = Idx.ReadBytes(path, 3);
            Assert.Equal((long)dims[0] * dims[1] * dims[2], values.LongLength);
        }, path);
    }

    [Property(MaxTest = 100)]
    public bool A_truncated_gzip_idx_file_ends_in_the_projects_error(PositiveInt keep)
    {
        byte[] bytes = [.. IdxHeader(1, [64]), .. new byte[64]];
        using var memory = new MemoryStream();
        using (var zip = new GZipStream(memory, CompressionLevel.Fastest)) zip.Write(bytes);
        var zipped = memory.ToArray();
        string path = Write("z-idx1-ubyte.gz", zipped[..Math.Min(zipped.Length - 1, keep.Get % zipped.Length)]);
        return EndsCleanly(() => Idx.ReadBytes(path, 1), path);
    }

    // ---- PNG ----

    static readonly byte[] validLabel = Fixtures.EncodeSingleChannelPng(Fixtures.Label(6, 7, 1, (3, 2)), 6, 7, 8, null);

    [Property(MaxTest = 200)]
    public bool Png_label_reader_survives_arbitrary_bytes(byte[] bytes, bool withSignature)
    {
        byte[] content = withSignature ? [.. validLabel[..8], .. bytes] : bytes;
        string path = Write("label.png", content);
        return EndsCleanly(() => ImageFile.ReadLabel(path), path) && EndsCleanly(() => ImageFile.ReadRgb(path), path);
    }

    [Property(MaxTest = 300)]
    public bool Png_label_reader_survives_a_corrupted_valid_file(NonNegativeInt position, byte value, PositiveInt cut)
    {
        var bytes = (byte[])validLabel.Clone();
        bytes[position.Get % bytes.Length] = value;
        bytes = bytes[..Math.Max(1, bytes.Length - cut.Get % 8)];
        string path = Write("corrupt.png", bytes);
        return EndsCleanly(() =>
        {
            var (label, height, width) = ImageFile.ReadLabel(path);
            Assert.Equal(height * width, label.Length);
        }, path);
    }

    // ---- run configs ----

    static readonly JsonObject smoke = Presets.BaselineJson("smoke");

    static readonly string[] leaves = Leaves(smoke, "").ToArray();

    static IEnumerable<string> Leaves(JsonNode node, string prefix) => node is JsonObject o
        ? o.SelectMany(p => p.Value is JsonObject ? Leaves(p.Value, $"{prefix}{p.Key}.") : [$"{prefix}{p.Key}"])
        : [];

    static readonly JsonNode?[] oddValues =
    [
        null, "abc", "", -1, 0, 1e308, -1e308, "Infinity", "NaN", true, 3.5, new JsonArray(1, 2), new JsonObject { ["x"] = 1 }, long.MaxValue, "adamW",
    ];

    [Property(MaxTest = 300)]
    public bool A_run_config_with_any_leaf_replaced_is_valid_or_refused_in_one_line(NonNegativeInt leaf, NonNegativeInt value, bool extraKey)
    {
        var json = (JsonObject)smoke.DeepClone();
        string path = leaves[leaf.Get % leaves.Length];
        var assignment = new Dictionary<string, JsonNode?> { [path] = oddValues[value.Get % oddValues.Length]?.DeepClone() };
        if (extraKey) assignment[path + "x"] = 1;
        ConfigOverrides.Apply(json, assignment, "--set");
        return EndsCleanly(() => RunConfig.FromJson(json.ToJsonString(), "test config").Validate(), "");
    }

    [Property(MaxTest = 300)]
    public bool A_run_config_from_arbitrary_text_is_valid_or_refused_in_one_line(string text)
    {
        return EndsCleanly(() => RunConfig.FromJson(text ?? "", "test config").Validate(), "test config");
    }
}
