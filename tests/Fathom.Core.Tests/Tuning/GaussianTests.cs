using CsCheck;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class GaussianTests
{
    // Reference values: Python's 0.5·erfc(−x/√2) and its log (upper tails through erfc, so no 1 − tiny cancels).
    [Theory]
    [InlineData(-30, 4.906713927148764e-198, -454.3212439563431)]
    [InlineData(-8, 6.220960574271819e-16, -35.013437159914545)]
    [InlineData(-3, 0.0013498980316300957, -6.607726221510348)]
    [InlineData(-0.5, 0.3085375387259869, -1.1759117615936188)]
    [InlineData(0, 0.5, -0.6931471805599453)]
    [InlineData(1, 0.8413447460685429, -0.1727537790234499)]
    [InlineData(6, 0.9999999990134123, -9.865876455243787e-10)]
    public void Cdf_AndLogCdf_MatchTheReference(double x, double cdf, double logCdf)
    {
        Assert.Equal(cdf, Gaussian.Cdf(x), cdf * 1e-12 + 1e-15);
        Assert.Equal(logCdf, Gaussian.LogCdf(x), Math.Abs(logCdf) * 1e-12 + 1e-18);
    }

    [Fact]
    public void LogCdf_StaysFiniteWhereTheCdfUnderflows() =>
        Assert.Equal(-0.5 * 60 * 60 - Math.Log(60) - Gaussian.LogSqrt2Pi, Gaussian.LogCdf(-60), 1e-3);

    [Theory]
    [InlineData(-2, 1, -0.20016629432446262)]
    [InlineData(-6, -5, -15.06844609652945)]
    [InlineData(6, 7, -20.738067003282467)]
    public void LogMass_MatchesTheReference(double a, double b, double expected) =>
        Assert.Equal(expected, Gaussian.LogMass(a, b), Math.Abs(expected) * 1e-11);

    [Fact]
    public void LogPdfTruncated_MatchesAHandComputedValue() =>
        Assert.Equal(-0.11450352516169073, Gaussian.LogPdfTruncated(0.2, 0.5, 0.3, 0, 1), 12);

    [Fact]
    public void InverseCdf_InvertsTheCdf() =>
        Gen.Double[1e-300, 1 - 1e-15].Sample(p => Math.Abs(Gaussian.Cdf(Gaussian.InverseCdf(p)) - p) <= 1e-12 * Math.Max(p, 1e-3), iter: 5000);

    [Fact]
    public void SampleTruncated_StaysInsideItsInterval() =>
        Gen.Select(Gen.Double[-5, 5], Gen.Double[1e-3, 10], Gen.Double[-10, 10], Gen.Double[1e-6, 5], Gen.Int)
            .Sample(p =>
            {
                var (mu, sigma, low, width, seed) = p;
                var x = Gaussian.SampleTruncated(new Random(seed), mu, sigma, low, low + width);
                return x >= low && x <= low + width;
            }, iter: 5000);

    [Fact]
    public void LogPdfTruncated_IntegratesToOne()
    {
        const int n = 20000;
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            total += Math.Exp(Gaussian.LogPdfTruncated(-1 + (i + 0.5) * 3.0 / n, 0.7, 0.4, -1, 2)) * 3.0 / n;
        }
        Assert.Equal(1.0, total, 6);
    }

    [Fact]
    public void Log1PAndExpM1_KeepTinyArguments()
    {
        Assert.Equal(1e-17, Gaussian.Log1P(1e-17));
        Assert.Equal(1e-17, Gaussian.ExpM1(1e-17));
        Assert.Equal(Math.Log(1.5), Gaussian.Log1P(0.5), 15);
        Assert.Equal(Math.Exp(0.3) - 1, Gaussian.ExpM1(0.3), 15);
    }
}
