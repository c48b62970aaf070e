using SegAlign.Data;

namespace SegAlign.Evaluation;

/// <summary>One garment of a scene: its class, its labelled visible pixels and how the model labelled them.</summary>
public sealed record ItemOutcome(int TrueClass, int Pixels, int MajorityClass, int CorrectPixels, int BackgroundPixels)
{
    /// <summary>Pixels labelled as another garment.</summary>
    public int OtherGarmentPixels => Pixels - CorrectPixels - BackgroundPixels;
    public bool NamedRight => MajorityClass == TrueClass;
}

/// <summary>Item-level shares of a group of items (percentages; pixel shares are of the group's garment pixels).</summary>
public sealed record ItemShares(string Group, int Items, double NamedRight, double NamedAnotherGarment, double LostToBackground,
    double PixelsCorrect, double PixelsOtherGarment, double PixelsOtherGarmentInMisnamedItems);

/// <summary>
/// Item-level recognition on FashionScenes, where every garment's pixels are known (<see cref="FashionScenes.GetWithItems"/>):
/// is a garment named right as a whole (the class most of its pixels get), and are the pixels given to another garment
/// whole items given the wrong name, or fragments inside items that are named right? The pixel confusion matrix cannot
/// tell the two apart: the first is recognition, the second labelling consistency across an item.
/// </summary>
public sealed class ItemRecognition
{
    readonly int numClasses;
    readonly List<ItemOutcome> items = [];

    public ItemRecognition(int numClasses) => this.numClasses = numClasses;

    public IReadOnlyList<ItemOutcome> Items => items;

    /// <summary>Adds one scene: prediction and label maps, and the owner map (0 = background, item ids from 1).</summary>
    public void Add(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> label, ReadOnlySpan<byte> owner)
    {
        if (prediction.Length != label.Length || owner.Length != label.Length)
            throw new ArgumentException($"maps differ in size: prediction {prediction.Length}, label {label.Length}, owner {owner.Length} pixels");
        int maxItem = 0;
        foreach (var o in owner) maxItem = Math.Max(maxItem, o);
        var counts = new int[(maxItem + 1) * numClasses];
        var trueClass = new int[maxItem + 1];
        Array.Fill(trueClass, -1);
        for (int p = 0; p < label.Length; p++)
        {
            int item = owner[p];
            if (item == 0 || label[p] == Sample.Ignore) continue;
            if (prediction[p] >= numClasses) throw new ArgumentException($"prediction {prediction[p]} at pixel {p} is not a class (0..{numClasses - 1})");
            trueClass[item] = label[p];
            counts[item * numClasses + prediction[p]]++;
        }
        for (int item = 1; item <= maxItem; item++)
        {
            if (trueClass[item] < 0) continue; // covered by later items, or ignored as an unrecognisable fragment
            var row = counts.AsSpan(item * numClasses, numClasses);
            int majority = 0, pixels = 0;
            for (int c = 0; c < numClasses; c++)
            {
                pixels += row[c];
                if (row[c] > row[majority]) majority = c; // ties go to the lower class index
            }
            items.Add(new ItemOutcome(trueClass[item], pixels, majority, row[trueClass[item]], row[0]));
        }
    }

    /// <summary>All items, then items by visible size (labelled pixels below each of <paramref name="sizeEdges"/>, then the rest).</summary>
    public IReadOnlyList<ItemShares> Summarise(IReadOnlyList<int> sizeEdges)
    {
        var groups = new List<ItemShares> { Shares("all items", items) };
        int lower = 0;
        foreach (var edge in sizeEdges.Append(int.MaxValue))
        {
            string name = edge == int.MaxValue ? $"≥ {lower} px" : $"{lower}–{edge - 1} px";
            int from = lower;
            groups.Add(Shares(name, items.Where(i => i.Pixels >= from && i.Pixels < edge).ToList()));
            lower = edge;
        }
        return groups;
    }

    static ItemShares Shares(string group, IReadOnlyList<ItemOutcome> outcomes)
    {
        double n = Math.Max(outcomes.Count, 1), pixels = Math.Max(outcomes.Sum(i => (long)i.Pixels), 1);
        return new ItemShares(group, outcomes.Count,
            100 * outcomes.Count(i => i.NamedRight) / n,
            100 * outcomes.Count(i => !i.NamedRight && i.MajorityClass != 0) / n,
            100 * outcomes.Count(i => i.MajorityClass == 0) / n,
            100 * outcomes.Sum(i => (long)i.CorrectPixels) / pixels,
            100 * outcomes.Sum(i => (long)i.OtherGarmentPixels) / pixels,
            100 * outcomes.Where(i => !i.NamedRight).Sum(i => (long)i.OtherGarmentPixels) / pixels);
    }

    /// <summary>An observer for <see cref="Evaluator.Evaluate"/> over <paramref name="scenes"/>: adds each evaluated scene.
    /// The owner map comes from generating the scene again (≈ 0.5 ms at 128 px), so datasets need not carry it.</summary>
    public Action<int, byte[], Sample> Observer(FashionScenes scenes) =>
        (index, prediction, sample) => Add(prediction, sample.Label, scenes.GetWithItems(index).Owner);
}
