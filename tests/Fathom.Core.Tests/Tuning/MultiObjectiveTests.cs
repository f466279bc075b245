using CsCheck;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class MultiObjectiveTests
{
    [Fact]
    public void NonDominatedRanks_OfASmallSet()
    {
        List<double[]> points = [[1, 5], [2, 2], [5, 1], [3, 3], [4, 4], [2, 2], [6, 6]];
        Assert.Equal([0, 0, 0, 1, 2, 0, 3], MultiObjective.NonDominatedRanks(points));
        Assert.Equal([0, 1, 2, 5], MultiObjective.ParetoFront(points));
    }

    [Fact]
    public void CrowdingDistance_EndsAreInfiniteInnerPointsSumNormalisedGaps()
    {
        List<double[]> front = [[0, 4], [1, 2], [2, 1], [4, 0]];
        var d = MultiObjective.CrowdingDistance(front);
        Assert.Equal(double.PositiveInfinity, d[0]);
        Assert.Equal(double.PositiveInfinity, d[3]);
        Assert.Equal((2 - 0) / 4.0 + (4 - 1) / 4.0, d[1], 12);
        Assert.Equal((4 - 1) / 4.0 + (2 - 0) / 4.0, d[2], 12);
        Assert.Equal([0.0, 0.0], MultiObjective.CrowdingDistance([[1, 1], [1, 1]]));
    }

    [Fact]
    public void Hypervolume_TwoAndThreeObjectives_KnownValues()
    {
        Assert.Equal(0, Hypervolume.Compute([], [1, 1]));
        Assert.Equal(6, Hypervolume.Compute([[1, 3], [2, 2], [3, 1], [3, 3]], [4, 4]), 12);
        Assert.Equal(1, Hypervolume.Compute([[0, 0, 0]], [1, 1, 1]), 12);
        // Boxes 2·1·2 and 1·2·2 overlapping in 1·1·2: 4 + 4 − 2.
        Assert.Equal(6, Hypervolume.Compute([[0, 1, 0], [1, 0, 0]], [2, 2, 2]), 12);
        Assert.Equal(double.PositiveInfinity, Hypervolume.Compute([[0, 0]], [double.PositiveInfinity, 1]));
        Assert.Equal(0, Hypervolume.Compute([[2, 0]], [1, 1]));
    }

    [Fact]
    public void Hypervolume_AgreesWithAGridCount()
    {
        Gen.Double[0, 1].Array[3].List[1, 6].Sample(points =>
        {
            const int n = 40;
            var inside = 0;
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    for (var k = 0; k < n; k++)
                    {
                        double[] c = [(i + 0.5) / n, (j + 0.5) / n, (k + 0.5) / n];
                        if (points.Any(p => p[0] <= c[0] && p[1] <= c[1] && p[2] <= c[2]))
                        {
                            inside++;
                        }
                    }
                }
            }
            return Math.Abs(Hypervolume.Compute(points, [1, 1, 1]) - inside / (double)(n * n * n)) < 0.08;
        }, iter: 40);
    }

    [Fact]
    public void Contributions_AreExclusiveVolumes()
    {
        var c = Hypervolume.Contributions([[1, 3], [2, 2], [3, 1], [3, 3], [2, 2]], [4, 4]);
        Assert.Equal([1, 0, 1, 0, 0], c, new TpeMathTests.ToleranceComparer(1e-12));
    }

    [Fact]
    public void SelectSubset_GreedilyMaximisesHypervolume()
    {
        List<double[]> points = [[0, 10], [1, 1], [10, 0], [5, 5]];
        Assert.Equal([1], Hypervolume.SelectSubset(points, 1, [11, 11]));
        var two = Hypervolume.SelectSubset(points, 2, [11, 11]);
        Assert.Contains(1, two);
        Assert.Equal(2, two.Length);
        Assert.Equal([0, 1, 2, 3], Hypervolume.SelectSubset(points, 9, [11, 11]).Order());
    }

    [Fact]
    public void NsgaII_EliteTakesWholeFrontsThenTheLeastCrowded()
    {
        var study = new StudyView("s", [StudyDirection.Minimize, StudyDirection.Minimize], []);
        var population = new List<FrozenTrial>();
        double[][] values = [[0, 4], [1, 2], [2, 1.8], [4, 0], [5, 5], [1, 3], [3, 3.5]];
        for (var i = 0; i < values.Length; i++)
        {
            population.Add(FrozenTrial.Create(i, TrialState.Complete, new Dictionary<string, (ParamDistribution, double)>(), values[i]));
        }
        // Front 0: 0,1,2,3 (4 trials) fits under 5; front 1: 5 (1,3), 6 (3,3.5) → one more by crowding (both ends: ∞, the first by number).
        var elite = NsgaIISampler.SelectElite(study, population, 5);
        Assert.Equal([0, 1, 2, 3, 5], elite.Select(t => t.Number).Order());
        // Size 3: front 0 does not fit: its ends (0 and 3, infinite distance) come first, then the wider of 1 and 2.
        var three = NsgaIISampler.SelectElite(study, population, 3).Select(t => t.Number).ToList();
        Assert.Equal([0, 3], three.Take(2).Order());
        Assert.True(three[2] is 1 or 2);
    }

    [Fact]
    public void NsgaII_GenerationsFillUpThenAdvance()
    {
        var sampler = new NsgaIISampler(new NsgaIIOptions(1, PopulationSize: 4));
        var study = new InMemoryStudy("s", [StudyDirection.Minimize, StudyDirection.Minimize], sampler);
        for (var i = 0; i < 12; i++)
        {
            var t = study.Ask();
            var x = (double)t.Suggest("x", new FloatDistribution(0, 1))!;
            study.Tell(t, TrialState.Complete, [x, 1 - x]);
        }
        var generations = study.Trials.Select(t => int.Parse(t.SystemAttrs[NsgaIISampler.GenerationKey], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], generations);
        Assert.True(study.Trials[5].SystemAttrs.ContainsKey(NsgaIISampler.ParentsKey));
    }
}
