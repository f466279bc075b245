using CsCheck;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class ParzenEstimatorTests
{
    private static ParzenEstimator One(ParamDistribution d, params double[] observations) =>
        new([new("x", d)], [observations], new ParzenOptions());

    [Fact]
    public void Continuous_OneObservationAndThePrior_MatchesTheHandComputedDensity()
    {
        // Kernels: N(0.2, 0.8) and the prior N(0.5, 1), both truncated to [0, 1], weights ½ each.
        var pe = One(new FloatDistribution(0, 1), 0.2);
        Assert.Equal([0.5, 0.5], pe.Weights);
        Assert.Equal(-0.02359280362155235, pe.LogPdf([[0.7]])[0], 12);
    }

    [Fact]
    public void Discrete_KernelMassesOverTheGrid_MatchAndSumToOne()
    {
        // Int [0, 4], one observation at 1: σ = 3.5 (the farther end, -0.5 … 4.5), prior N(2, 5).
        var pe = One(new IntDistribution(0, 4), 1);
        Assert.Equal(-1.623674756649573, pe.LogPdf([[3]])[0], 12);
        var total = Enumerable.Range(0, 5).Sum(v => Math.Exp(pe.LogPdf([[v]])[0]));
        Assert.Equal(1.0, total, 12);
    }

    [Fact]
    public void LogInt_UsesLogSpaceCellsAroundEachValue()
    {
        var pe = One(new IntDistribution(1, 100, log: true), 10);
        Assert.Equal(-4.601003560387183, pe.LogPdf([[20]])[0], 11);
        var total = Enumerable.Range(1, 100).Sum(v => Math.Exp(pe.LogPdf([[v]])[0]));
        Assert.Equal(1.0, total, 10);
    }

    [Fact]
    public void Categorical_RowsSpreadThePriorWeightOverTheKernels()
    {
        // Observation row: ½ on each choice (prior weight 1 over 2 kernels), +1 on choice 2 → [0.2, 0.2, 0.6]; prior ⅓ each.
        var pe = One(new CategoricalDistribution(["a", "b", "c"]), 2);
        Assert.Equal(Math.Log(0.5 * 0.6 + 0.5 / 3), pe.LogPdf([[2]])[0], 12);
        Assert.Equal(Math.Log(0.5 * 0.2 + 0.5 / 3), pe.LogPdf([[0]])[0], 12);
    }

    [Fact]
    public void NoObservations_IsThePriorAlone()
    {
        var pe = new ParzenEstimator([new("x", new FloatDistribution(0, 1))], [], new ParzenOptions());
        Assert.Equal([1.0], pe.Weights);
        Assert.Equal(Gaussian.LogPdfTruncated(0.3, 0.5, 1, 0, 1), pe.LogPdf([[0.3]])[0], 12);
    }

    [Fact]
    public void GivenOrders_BuildTheSameEstimatorAsSorting() =>
        Gen.Select(TuningGen.Space, Gen.Int[0, 30], Gen.Int).Sample(p =>
        {
            var (space, m, seed) = p;
            var rng = new Random(seed);
            var rows = Enumerable.Range(0, m).Select(_ => space.Select(s => RandomSampler.Sample(s.Value, rng)).ToArray()).ToArray();
            double[][] columns = m == 0 ? [] : [.. space.Select((_, j) => rows.Select(r => r[j]).ToArray())];
            int[][] orders = [.. space.Select((_, j) => TpeMath.AscendingOrder(rows.Select(r => r[j]).ToArray()))];
            var sorted = new ParzenEstimator(space, columns, new ParzenOptions());
            var given = new ParzenEstimator(space, columns, new ParzenOptions(), orders: orders);
            var points = sorted.Sample(new Random(seed), 8);
            return sorted.LogPdf(points).SequenceEqual(given.LogPdf(points))
                && points.Zip(given.Sample(new Random(seed), 8)).All(q => q.First.SequenceEqual(q.Second));
        }, iter: 300);

    [Fact]
    public void PredeterminedWeights_ReplaceTheAgeWeights()
    {
        var pe = new ParzenEstimator([new("x", new FloatDistribution(0, 1))], [[0.1, 0.9]], new ParzenOptions(), [3.0, 1.0]);
        Assert.Equal([0.6, 0.2, 0.2], pe.Weights, new TpeMathTests.ToleranceComparer(1e-12));
    }

    [Fact]
    public void Samples_StayInTheSpaceAndOnTheGrid()
    {
        var space = new List<KeyValuePair<string, ParamDistribution>>
        {
            new("a", new FloatDistribution(-1, 1, 0.25)),
            new("b", new IntDistribution(2, 40, 3)),
            new("c", new FloatDistribution(1e-4, 1, log: true)),
            new("d", new CategoricalDistribution([1L, 2L])),
        };
        double[][] obs = [[-1, 0.5, 1], [2, 20, 38], [1e-3, 0.5, 1], [0, 1, 1]];
        var pe = new ParzenEstimator(space, obs, new ParzenOptions(Multivariate: true));
        foreach (var point in pe.Sample(new Random(3), 500))
        {
            for (var j = 0; j < space.Count; j++)
            {
                Assert.True(space[j].Value.Contains(point[j]), $"{space[j].Key} = {point[j]}");
            }
        }
    }
}
