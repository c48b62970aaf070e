namespace SegAlign.Models.Modules;

/// <summary>
/// Context modules sized for the maps they see (<c>model.contextInputSize</c>). The papers size PPM bins, ASPP rates and
/// RSP windows for large crops (C5 of a 1024-px Cityscapes crop is 32×32; DeepLabV3's 513-px crop gives 65×65 at output
/// stride 8). On small inputs the same numbers are degenerate: bin 6 up-samples a 4×4 map, rates 12/24/36 on an 8×8 map
/// leave every off-centre tap in the padding (each branch becomes a 1×1 conv), and a 5×5 window on a 4×4 map is global
/// attention, not a pixel-to-region relation. Given the input size the model is built for, these rules keep what each
/// setting is for. Unset (null): the published values, unchanged (protocol v1 and the <c>paper</c> preset).
/// </summary>
public static class ContextScaling
{
    /// <summary>DeepLabV3's reference crop (513 px): its rates were chosen for a 513/stride map.</summary>
    public const int AsppReferenceCrop = 513;

    /// <summary>Cells on a side of a stride-<paramref name="stride"/> map of a <paramref name="inputSize"/>-px input.</summary>
    public static int MapSide(int inputSize, int stride) => (inputSize + stride - 1) / stride;

    /// <summary>Pyramid pooling bins no larger than the map (a bin above the side is an up-sampling, not a pooling): each
    /// bin b becomes min(b, side); duplicates are dropped, order kept. E.g. {1, 2, 3, 6} on 4×4 → {1, 2, 3, 4}.</summary>
    public static int[] PoolBins(int[] bins, int? mapSide) =>
        mapSide is int side ? [.. bins.Select(b => Math.Min(b, side)).Distinct()] : bins;

    /// <summary>ASPP rates at the same fraction of the map as in the paper: r · side / ⌈513 / stride⌉, rounded, at least 1.
    /// E.g. 12/24/36 at stride 8 on a 16×16 map (128 px) → 3/6/9.</summary>
    public static int[] AtrousRates(int[] rates, int stride, int? mapSide)
    {
        if (mapSide is not int side) return rates;
        double reference = MapSide(AsppReferenceCrop, stride);
        return [.. rates.Select(r => Math.Max(1, (int)Math.Round(r * side / reference, MidpointRounding.AwayFromZero)))];
    }

    /// <summary>RSP's region window kept smaller than the coarsest map it looks into (otherwise every pixel relates to the
    /// whole map): the largest odd size below that side, never above the configured k, at least 1. E.g. k = 5 with a 4×4 P5 → 3.</summary>
    public static int RegionSize(int regionSize, int? coarsestSide)
    {
        if (coarsestSide is not int side) return regionSize;
        int below = side % 2 == 0 ? side - 1 : side - 2;
        return Math.Max(1, Math.Min(regionSize, below));
    }
}
