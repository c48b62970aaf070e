namespace SegAlign.Visualisation;

/// <summary>
/// A rendered image that notebooks display and reports embed (as image/png). Produced by the
/// visualisation helpers (flow fields, overlays, relation maps); carries its own caption.
/// </summary>
public sealed record PngImage(byte[] Png, int Width, int Height, string? Caption = null)
{
    public static PngImage FromRgb(byte[] rgb, int width, int height, string? caption = null) =>
        new(Visualisation.Png.Encode(rgb, width, height), width, height, caption);
}
