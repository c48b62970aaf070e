using MathNet.Numerics.Distributions;
using SegAlign.Experiments;

namespace SegAlign.Tests.Experiments;

/// <summary>The two-level interval and the power statement checked against simulations with a known answer.</summary>
public class TwoLevelBootstrapTests
{
    // Per-image paired differences d(s, i) = δ + u_s + v_i + w_si: u the seed's effect, v the image's (the true effect
    // varies over the image population, so a finite test set adds error), w their interaction. The metric of a multiset of
    // images is the mean of its images' values, as mIoU is (nearly) a mean over images.
    static double Coverage(int seeds, int images, double seedSd, double imageSd, double noiseSd, int simulations, int seed)
    {
        const double effect = 1.0;
        var random = new Random(seed);
        double Gaussian() => Normal.Sample(random, 0, 1);
        int covered = 0;
        for (int sim = 0; sim < simulations; sim++)
        {
            var image = Enumerable.Range(0, images).Select(_ => imageSd * Gaussian()).ToArray();
            var pairs = new List<SeedPair>();
            for (int s = 0; s < seeds; s++)
            {
                double u = seedSd * Gaussian();
                var values = image.Select(v => effect + u + v + noiseSd * Gaussian()).ToArray();
                pairs.Add(new SeedPair(ix => ix.Average(i => values[i]), _ => 0));
            }
            var interval = TwoLevelBootstrap.Of(pairs, images, resamples: 300, seed: sim)!;
            if (interval.Low <= effect && effect <= interval.High) covered++;
        }
        return (double)covered / simulations;
    }

    [Theory]
    [InlineData(1.0, 0.0, 0.2)]  // seeds dominate: the Student-t interval over seeds
    [InlineData(0.2, 2.0, 0.5)]  // the test images dominate: the seed interval alone would undercover badly
    [InlineData(0.6, 1.5, 1.0)]  // both
    public void The_95_percent_interval_covers_a_known_effect_93_to_97_percent_of_the_time(double seedSd, double imageSd, double noiseSd)
    {
        double coverage = Coverage(seeds: 5, images: 60, seedSd, imageSd, noiseSd, simulations: 1000, seed: 7);
        Assert.InRange(coverage, 0.93, 0.97);
    }

    [Fact]
    public void With_no_image_noise_it_is_the_student_t_interval_over_seeds_up_to_resampling_error()
    {
        var deltas = new[] { 0.9, 1.4, 0.2, 1.1, 0.7 };
        var pairs = deltas.Select(d => new SeedPair(_ => d, _ => 0)).ToList();
        var interval = TwoLevelBootstrap.Of(pairs, images: 50)!;
        var (low, high) = Statistics.PairedConfidenceInterval(deltas);
        Assert.Equal(deltas.Average(), interval.Delta, 12);
        // The seed part of the variance comes from resampling seeds: exact up to Monte Carlo error (≈ 1.5 % in SE at 2 000 resamples).
        Assert.Equal(high - low, interval.High - interval.Low, (high - low) * 0.03);
        Assert.Equal(4, interval.DegreesOfFreedom, 0.4);
        Assert.Equal(Statistics.PairedTTest(deltas, new double[5]).P, interval.P, 0.01);
    }

    [Fact]
    public void Two_one_sided_tests_decide_equivalence_only_when_the_90_percent_interval_lies_inside_the_margin()
    {
        var tight = new TwoLevelInterval(0.1, 0, 0, StandardError: 0.2, DegreesOfFreedom: 8, P: 0.6, 0.04, 0, 5, 100);
        var (low, high) = tight.Interval(0.90);
        Assert.True(low > -1 && high < 1);
        Assert.True(tight.EquivalenceP(1.0) < 0.05);
        var wide = tight with { StandardError = 0.8 };
        Assert.True(wide.EquivalenceP(1.0) > 0.05);
    }

    [Fact]
    public void The_minimal_detectable_effect_is_found_80_percent_of_the_time_in_a_simulation()
    {
        // Paired t-tests over 5 seeds at Holm's strictest level in a family of 3, true effect = the computed MDE.
        const int seeds = 5, simulations = 4000;
        const double spread = 0.4, alpha = 0.05 / 3;
        double mde = Power.MinimalDetectableEffect(spread, 0, seeds, alpha);
        var random = new Random(3);
        int found = 0;
        for (int sim = 0; sim < simulations; sim++)
        {
            var d = Enumerable.Range(0, seeds).Select(_ => mde + spread * Normal.Sample(random, 0, 1)).ToArray();
            if (Statistics.PairedTTest(d, new double[seeds]).P < alpha) found++;
        }
        Assert.InRange((double)found / simulations, 0.75, 0.85);
        Assert.Equal(seeds, Power.SeedsNeeded(mde, spread, 0, alpha));
        Assert.True(Power.SeedsNeeded(mde / 2, spread, 0, alpha) > seeds);
    }
}
