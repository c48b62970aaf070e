using SegAlign.Experiments;

namespace SegAlign.Tests.Experiments;

public class StatisticsTests
{
    [Fact]
    public void Mean_and_sample_standard_deviation()
    {
        Assert.Equal(2, Statistics.Mean([1, 2, 3]));
        Assert.Equal(1, Statistics.StdDev([1, 2, 3]), 12);
        Assert.True(double.IsNaN(Statistics.StdDev([5])));
    }

    [Theory]
    // Reference values of the two-sided Student t tail from standard tables.
    [InlineData(2.0, 2, 0.1835034)]
    [InlineData(4.303, 2, 0.05)]
    [InlineData(1.0, 10, 0.3408931)]
    [InlineData(0.0, 5, 1.0)]
    public void Two_sided_t_tail_matches_tables(double t, double nu, double p) =>
        Assert.Equal(p, Statistics.StudentTwoSidedP(t, nu), 4);

    [Fact]
    public void Paired_t_test_uses_differences_over_matched_seeds()
    {
        // Differences 1, 2, 3: mean 2, sd 1, t = 2/(1/√3) = 3.4641, ν = 2 → p ≈ 0.0742.
        var (delta, t, p, n) = Statistics.PairedTTest([11, 12, 13], [10, 10, 10]);
        Assert.Equal(2, delta, 12);
        Assert.Equal(3.4641016, t, 6);
        Assert.Equal(0.0742, p, 3);
        Assert.Equal(3, n);
    }

    [Theory]
    // Two-sided 5 % critical values of Student's t from standard tables.
    [InlineData(2, 4.3027)]
    [InlineData(5, 2.5706)]
    [InlineData(10, 2.2281)]
    [InlineData(1000, 1.9623)]
    public void Student_critical_values_match_tables(double nu, double critical) =>
        Assert.Equal(critical, Statistics.StudentQuantile(0.05, nu), 3);

    [Fact]
    public void The_paired_interval_is_mean_plus_minus_t_times_standard_error()
    {
        // Differences 1, 2, 3: mean 2, sd 1, n 3 → 2 ± 4.3027/√3 = 2 ± 2.4842.
        var (low, high) = Statistics.PairedConfidenceInterval([1, 2, 3]);
        Assert.Equal(2 - 2.4842, low, 3);
        Assert.Equal(2 + 2.4842, high, 3);
        Assert.True(double.IsNaN(Statistics.PairedConfidenceInterval([1]).Low));
    }

    [Fact]
    public void Holm_multiplies_the_ordered_p_values_keeps_them_monotone_and_skips_untested_ones()
    {
        // Sorted 0.01, 0.03, 0.04 → ×3, ×2, ×1 = 0.03, 0.06, 0.04 → monotone 0.03, 0.06, 0.06.
        var adjusted = Statistics.Holm([0.04, double.NaN, 0.01, 0.03]);
        Assert.Equal(0.06, adjusted[0], 12);
        Assert.True(double.IsNaN(adjusted[1]));
        Assert.Equal(0.03, adjusted[2], 12);
        Assert.Equal(0.06, adjusted[3], 12);
        Assert.Equal([1.0], Statistics.Holm([0.7]).Select(p => Math.Ceiling(p)));
        Assert.Equal(1.0, Statistics.Holm([0.6, 0.7])[0], 12);   // capped at 1
    }
}
