using System.Globalization;
using SegAlign.Evaluation;
using SegAlign.Training;

namespace SegAlign.Lab;

/// <summary>Readers for run-folder files that only the lab needs.</summary>
public static class RunFiles
{
    /// <summary>confusion_matrix.csv (rows = ground truth, columns = prediction, a header of class names).</summary>
    public static ConfusionMatrix ReadConfusion(RunFolder folder, int numClasses)
    {
        if (!File.Exists(folder.ConfusionFile))
            throw new InputException(folder.ConfusionFile, "does not exist", "the run is unfinished or was written by an older version; rerun it");
        var lines = File.ReadAllLines(folder.ConfusionFile).Where(l => l.Length > 0).Skip(1).ToList();
        if (lines.Count != numClasses)
            throw new InputException(folder.ConfusionFile, $"has {lines.Count} class rows, expected {numClasses}", "delete the run folder and rerun it");
        var counts = new long[numClasses * numClasses];
        for (int g = 0; g < numClasses; g++)
        {
            // The first field is the class name (quoted when it holds a comma); the counts follow.
            var line = lines[g];
            int start = line.StartsWith('"') ? line.IndexOf("\",", 1, StringComparison.Ordinal) + 2 : line.IndexOf(',', StringComparison.Ordinal) + 1;
            var values = line[start..].Split(',');
            if (values.Length != numClasses)
                throw new InputException(folder.ConfusionFile, $"row {g + 1} has {values.Length} counts, expected {numClasses}", "delete the run folder and rerun it");
            for (int p = 0; p < numClasses; p++) counts[g * numClasses + p] = long.Parse(values[p], CultureInfo.InvariantCulture);
        }
        return ConfusionMatrix.FromCounts(numClasses, counts);
    }
}
