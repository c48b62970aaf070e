using SegAlign.Visualisation;

namespace SegAlign.Tests.Visualisation;

public class ColourWheelTests
{
    static readonly Colour Red = new(255, 0, 0), Yellow = new(255, 255, 0), Green = new(0, 255, 0), Cyan = new(0, 255, 255), Blue = new(0, 0, 255), Magenta = new(255, 0, 255);

    [Fact]
    public void The_wheel_has_the_Middlebury_segments_red_yellow_green_cyan_blue_magenta()
    {
        // RY 15, YG 6, GC 4, CB 11, BM 13, MR 6: each primary starts its segment.
        Assert.Equal(55, ColourWheel.Hues.Count);
        Assert.Equal(Red, ColourWheel.Hues[0]);
        Assert.Equal(Yellow, ColourWheel.Hues[15]);
        Assert.Equal(Green, ColourWheel.Hues[21]);
        Assert.Equal(Cyan, ColourWheel.Hues[25]);
        Assert.Equal(Blue, ColourWheel.Hues[36]);
        Assert.Equal(Magenta, ColourWheel.Hues[49]);
        // Within a segment the changing channel steps by ⌊255·i/n⌋: RY at i = 1 has G = ⌊255/15⌋ = 17.
        Assert.Equal(new Colour(255, 17, 0), ColourWheel.Hues[1]);
        Assert.Equal(new Colour(255, 0, 255 - 255 * 5 / 6), ColourWheel.Hues[54]);
    }

    [Fact]
    public void A_pure_rightward_flow_at_full_scale_is_the_wheels_colour_at_angle_zero_red()
    {
        Assert.Equal(ColourWheel.Hue(0), ColourWheel.Of(3, 0, 3));
        Assert.Equal(Red, ColourWheel.Of(3, 0, 3));
    }

    [Fact]
    public void Directions_follow_the_Middlebury_convention_with_y_pointing_down()
    {
        var down = ColourWheel.Of(0, 1, 1);
        Assert.Equal(ColourWheel.Hue(Math.PI / 2), down);
        Assert.True(down.R == 255 && down.G > 200 && down.B == 0, $"down should be orange-yellow, got {down}");   // position 13.75 of the red→yellow ramp
        var left = ColourWheel.Of(-1, 0, 1);
        Assert.True(left.R == 0 && left.B == 255 && left.G > 150, $"left should be cyan-blue, got {left}");        // position 27.5, in cyan→blue
        var up = ColourWheel.Of(0, -1, 1);
        Assert.True(up.B == 255 && up.G == 0 && up.R > 50, $"up should be violet, got {up}");                       // position 41.25, in blue→magenta
    }

    [Fact]
    public void Zero_flow_is_black_and_brightness_grows_with_the_magnitude_up_to_the_scale()
    {
        Assert.Equal(Colour.Black, ColourWheel.Of(0, 0, 1));
        Assert.Equal(Colour.Black, ColourWheel.Of(0, 0, 0));
        var full = ColourWheel.Of(2, 2, 2 * Math.Sqrt(2));
        Assert.Equal(full.Scale(0.5), ColourWheel.Of(1, 1, 2 * Math.Sqrt(2)));
        Assert.Equal(full, ColourWheel.Of(4, 4, 2 * Math.Sqrt(2)));  // beyond the scale: saturated, not brighter
        double Brightness(Colour c) => c.R + c.G + c.B;
        Assert.True(Brightness(ColourWheel.Of(0.2, 0, 1)) < Brightness(ColourWheel.Of(0.6, 0, 1)));
    }

    [Fact]
    public void The_hue_is_continuous_round_the_whole_circle()
    {
        for (int i = 0; i < 360; i++)
        {
            var a = ColourWheel.Hue(i * Math.PI / 180);
            var b = ColourWheel.Hue((i + 1) * Math.PI / 180);
            Assert.True(Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B) <= 60, $"jump between {i}° and {i + 1}°: {a} → {b}");
        }
        Assert.Equal(ColourWheel.Hue(0), ColourWheel.Hue(2 * Math.PI));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(129)]
    public void The_key_is_black_at_the_centre_red_at_the_right_rim_and_the_legend_a_png_around_it(int size)
    {
        var key = ColourWheel.Key(size);
        Assert.Equal((size, size), (key.Width, key.Height));
        var centre = key.At(size / 2, size / 2);
        Assert.True(centre.R + centre.G + centre.B < 30, $"the centre (no displacement) should be black, got {centre}");
        var right = key.At(size - 2, size / 2);
        Assert.True(right.R > 200 && right.G < 60 && right.B < 60, $"right rim should be red, got {right}");
        Assert.Equal(Colour.White, key.At(0, 0));
        var legend = Pngs.Decode(ColourWheel.Legend(size));
        Assert.True(legend.Width > size && legend.Height > size, "the legend draws the key with its words around it");
    }
}
