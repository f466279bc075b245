using Fathom.Monitoring;

namespace Fathom.Ml.Tests;

public sealed class DriftStatisticsTests
{
    [Fact]
    public void KolmogorovSmirnov_SameSample_IsZeroWithPValueOne()
    {
        var values = Enumerable.Range(0, 500).Select(i => i / 500.0).ToList();

        var (d, p) = DriftStatistics.KolmogorovSmirnov(values, values);

        Assert.Equal(0, d);
        Assert.Equal(1, p, 6);
    }

    [Fact]
    public void KolmogorovSmirnov_ShiftedUniform_GapIsTheShiftAndSignificant()
    {
        // 0..999 against 200..1199: the empirical CDFs are 0.2 apart wherever both rise.
        var first = Enumerable.Range(0, 1000).Select(i => (double)i).ToList();
        var second = first.Select(v => v + 200).ToList();

        var (d, p) = DriftStatistics.KolmogorovSmirnov(first, second);

        Assert.Equal(0.2, d, 3);
        Assert.True(p < 1e-10, $"p = {p}");
    }

    [Fact]
    public void KolmogorovSmirnov_SmallGapOnSmallSamples_IsNotSignificant()
    {
        // D = 0.1 between two samples of 50 gives p ≈ 0.96 (the asymptotic Kolmogorov tail).
        var first = Enumerable.Range(0, 50).Select(i => (double)i).ToList();
        var second = first.Select(v => v + 5).ToList();

        var (d, p) = DriftStatistics.KolmogorovSmirnov(first, second);

        Assert.Equal(0.1, d, 3);
        Assert.InRange(p, 0.9, 1.0);
    }

    [Fact]
    public void PopulationStabilityIndex_IsZeroForTheSameSharesAndMatchesTheFormulaOtherwise()
    {
        var baseline = new List<double> { 0.1, 0.2, 0.6, 0.7 };
        var edges = new[] { 0.5 };
        var shifted = new List<double> { 0.1, 0.6, 0.7, 0.8 };

        var same = DriftStatistics.PopulationStabilityIndex(baseline, baseline, edges);
        var moved = DriftStatistics.PopulationStabilityIndex(baseline, shifted, edges);

        Assert.Equal(0, same, 12);
        // shares 0.5/0.5 → 0.25/0.75: (0.25−0.5)·ln(0.5) + (0.75−0.5)·ln(1.5)
        Assert.Equal((-0.25 * Math.Log(0.5)) + (0.25 * Math.Log(1.5)), moved, 12);
    }

    [Fact]
    public void QuantileEdges_RepeatedValues_GiveFewerBinsNotEmptyOnes()
    {
        var lengths = Enumerable.Repeat(5.0, 90).Concat(Enumerable.Repeat(50.0, 10)).ToList();

        var edges = DriftStatistics.QuantileEdges(lengths);

        Assert.Equal([5.0, 50.0], edges);
        Assert.Equal([0.0, 0.9, 0.1], DriftStatistics.Shares(lengths, edges));
    }

    [Fact]
    public void Compare_TooFewRecentPredictions_GivesNoVerdict()
    {
        var baseline = Sample(Enumerable.Range(0, 500).Select(i => i / 500.0));
        var recent = Sample([0.99, 0.98]);

        var report = DriftReport.Compare(baseline, recent, new DriftThresholds(), since: null);

        Assert.Equal(DriftReport.TooFew, report.Verdict);
        Assert.False(report.Drifted);
    }

    [Fact]
    public void Compare_AllPositiveTraffic_DriftsOnScoreAndPositiveRate()
    {
        var baseline = Sample(Enumerable.Range(0, 500).Select(i => i / 500.0));
        var recent = Sample(Enumerable.Range(0, 300).Select(i => 0.9 + (i / 3000.0)));

        var report = DriftReport.Compare(baseline, recent, new DriftThresholds(), since: null);

        Assert.True(report.Drifted);
        Assert.Equal(DriftReport.Drift, report.Features.Single(f => f.Name == "predicted_positive_rate").Verdict);
        Assert.Equal(1.0, report.Features.Single(f => f.Name == "predicted_positive_rate").RecentMean);
        Assert.Equal(DriftReport.Ok, report.Features.Single(f => f.Name == "text_length_words").Verdict);
    }

    private static TrafficSample Sample(IEnumerable<double> scores)
    {
        var sample = new TrafficSample();
        foreach (var score in scores)
        {
            sample.Add(score, new ReviewTraits(100, 0.01));
        }

        return sample;
    }
}
