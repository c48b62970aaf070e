using SkiaSharp;

namespace SegAlign.Visualisation;

/// <summary>
/// Colours for 2-D displacements: direction → hue on the Middlebury flow colour wheel (Baker et al., "A Database
/// and Evaluation Methodology for Optical Flow", IJCV 2011; the wheel SFSegNets' flow_to_image uses), magnitude →
/// brightness. The wheel is 55 hues in six linear ramps red → yellow (15) → green (6) → cyan (4) → blue (11) →
/// magenta (13) → red (6), and the hue of direction θ (image coordinates, y down: θ = atan2(dy, dx)) sits at
/// position θ/2π of the way round, so +x is red, +y (down) orange-yellow, −x cyan-blue and −y (up) violet, as in
/// the Middlebury images. Deviation: Middlebury fades small flows to white (saturation ∝ magnitude); here the
/// magnitude is the brightness, so zero flow is black and the strongest flow is the full wheel colour.
/// </summary>
public static class ColourWheel
{
    static readonly (int Length, Colour From, Colour To)[] ramps =
    [
        (15, new(255, 0, 0), new(255, 255, 0)),     // red → yellow
        (6, new(255, 255, 0), new(0, 255, 0)),      // yellow → green
        (4, new(0, 255, 0), new(0, 255, 255)),      // green → cyan
        (11, new(0, 255, 255), new(0, 0, 255)),     // cyan → blue
        (13, new(0, 0, 255), new(255, 0, 255)),     // blue → magenta
        (6, new(255, 0, 255), new(255, 0, 0)),      // magenta → red
    ];

    /// <summary>The 55 wheel hues, starting at red (+x) and going round through yellow (+y).</summary>
    public static IReadOnlyList<Colour> Hues { get; } = BuildHues();

    static Colour[] BuildHues()
    {
        var hues = new List<Colour>();
        foreach (var (length, from, to) in ramps)
            for (int i = 0; i < length; i++)
            {
                // The changing channel steps by ⌊255·i/length⌋, the others stay put.
                byte Step(byte a, byte b) => (byte)(a + Math.Sign(b - a) * (255 * i / length));
                hues.Add(new Colour(Step(from.R, to.R), Step(from.G, to.G), Step(from.B, to.B)));
            }
        return [.. hues];
    }

    /// <summary>The full-brightness colour of direction <paramref name="angle"/> (radians, image coordinates: 0 = +x, π/2 = +y = down).</summary>
    public static Colour Hue(double angle)
    {
        double turn = angle / (2 * Math.PI);
        double position = (turn - Math.Floor(turn)) * Hues.Count;
        int k0 = (int)Math.Floor(position) % Hues.Count, k1 = (k0 + 1) % Hues.Count;
        return Hues[k0].Mix(Hues[k1], position - Math.Floor(position));
    }

    /// <summary>The colour of displacement (dx, dy): hue from its direction, brightness min(1, |d| / <paramref name="scale"/>).</summary>
    public static Colour Of(double dx, double dy, double scale)
    {
        double magnitude = Math.Sqrt(dx * dx + dy * dy);
        if (!(magnitude > 0) || !(scale > 0)) return Colour.Black;
        return Hue(Math.Atan2(dy, dx)).Scale(Math.Min(1, magnitude / scale));
    }

    /// <summary>The key: a disc where each point has the colour of the displacement from the centre to it (the rim is
    /// the full scale), on white, <paramref name="size"/>×<paramref name="size"/> pixels.</summary>
    public static SKBitmap Key(int size = 128)
    {
        double centre = (size - 1) / 2.0, radius = size / 2.0 - 1;
        return Canvas.Paint(size, size, (x, y) =>
        {
            double dx = x - centre, dy = y - centre;
            return dx * dx + dy * dy <= radius * radius ? Of(dx, dy, radius) : Colour.White;
        });
    }

    /// <summary>The key as a figure panel: the disc with the four directions named around it; the title says what the rim
    /// stands for (<paramref name="rim"/>, e.g. "rim = 1.2 px").</summary>
    public static Panel KeyPanel(string rim, int disc = 120)
    {
        const int labelRoom = 40;
        int side = disc + 2 * labelRoom;
        var key = Key(disc);
        return new Panel($"Colour key: {rim}", side, side, canvas =>
        {
            canvas.DrawBitmap(key, labelRoom, labelRoom);
            float c = side / 2f, r = disc / 2f;
            canvas.Write("right", c + r + 3, c - Canvas.TickSize / 2, Canvas.TickSize, Colour.Ink);
            canvas.Write("left", c - r - 3, c - Canvas.TickSize / 2, Canvas.TickSize, Colour.Ink, SKTextAlign.Right);
            canvas.Write("up", c, c - r - Canvas.LineHeight(Canvas.TickSize) - 1, Canvas.TickSize, Colour.Ink, SKTextAlign.Center);
            canvas.Write("down", c, c + r + 3, Canvas.TickSize, Colour.Ink, SKTextAlign.Center);
        });
    }

    /// <summary>The key (a disc <paramref name="size"/> pixels across) on its own, with the directions named (for a field shown without <see cref="FlowPlots.ColourFields"/>,
    /// which draws this key once beside its panels).</summary>
    public static PngImage Legend(int size = 128) =>
        Figure.Compose("Flow colour key", [KeyPanel("rim = full scale, centre = no displacement", size)]);
}
