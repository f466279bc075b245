using System.Globalization;
using CsCheck;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class TpeSamplerTests
{
    private static readonly FloatDistribution Unit = new(0, 1);

    private static FrozenTrial Complete(int number, double x, double value, params double[] more) =>
        FrozenTrial.Create(number, TrialState.Complete, new Dictionary<string, (ParamDistribution, double)> { ["x"] = (Unit, x) }, [value, .. more]);

    [Fact]
    public void Split_TakesTheGammaBestCompleteThenTheFurthestPrunedAndOrdersByNumber()
    {
        var study = new StudyView("s", [StudyDirection.Minimize], []);
        var pruned = FrozenTrial.Create(3, TrialState.Pruned, new Dictionary<string, (ParamDistribution, double)> { ["x"] = (Unit, 0.5) },
            null, new Dictionary<int, double> { [0] = 9, [5] = 1 });
        var prunedEarly = FrozenTrial.Create(4, TrialState.Pruned, new Dictionary<string, (ParamDistribution, double)> { ["x"] = (Unit, 0.5) },
            null, new Dictionary<int, double> { [0] = 0.1 });
        FrozenTrial[] trials = [Complete(0, 0.1, 5), Complete(1, 0.2, 1), Complete(2, 0.3, 3), pruned, prunedEarly, Complete(5, 0.4, 7)];
        var best = TpeSampler.SplitTrials(study, trials, 2);
        Assert.Equal([1, 2], best.Below.Select(t => t.Number));
        Assert.Equal([0, 3, 4, 5], best.Above.Select(t => t.Number));
        // Five good ones: the four complete trials, then the pruned trial that got furthest (step 5 before step 0).
        var split = TpeSampler.SplitTrials(study, trials, 5);
        Assert.Equal([0, 1, 2, 3, 5], split.Below.Select(t => t.Number));
        Assert.Equal([4], split.Above.Select(t => t.Number));
    }

    [Fact]
    public void Split_NoGoodTrialsWhenGammaIsZero()
    {
        var study = new StudyView("s", [StudyDirection.Minimize], []);
        var split = TpeSampler.SplitTrials(study, [Complete(0, 0.1, 5), Complete(1, 0.2, 1)], 0);
        Assert.Empty(split.Below);
        Assert.Equal(2, split.Above.Count);
    }

    [Fact]
    public void Split_MaximiseReversesTheOrder()
    {
        var study = new StudyView("s", [StudyDirection.Maximize], []);
        var split = TpeSampler.SplitTrials(study, [Complete(0, 0.1, 5), Complete(1, 0.2, 1), Complete(2, 0.3, 3)], 1);
        Assert.Equal([0], split.Below.Select(t => t.Number));
    }

    [Fact]
    public void Split_ConstantLiarPutsRunningTrialsAbove()
    {
        var study = new StudyView("s", [StudyDirection.Minimize], []);
        var running = FrozenTrial.Running(3).WithParam("x", Unit, 0.15);
        var split = TpeSampler.SplitTrials(study, [Complete(0, 0.1, 5), Complete(1, 0.2, 1), Complete(2, 0.3, 3), running], 1);
        Assert.Contains(split.Above, t => t.Number == 3);
    }

    [Fact]
    public void Split_SeveralObjectives_FillsByRankAndCutsTheLastRankByHypervolume()
    {
        var study = new StudyView("s", [StudyDirection.Minimize, StudyDirection.Minimize], []);
        FrozenTrial[] trials =
        [
            Complete(0, 0.1, 1, 1), // rank 0
            Complete(1, 0.2, 0, 3), // rank 0
            Complete(2, 0.3, 2, 2), // rank 1
            Complete(3, 0.4, 1.5, 5), // rank 1
            Complete(4, 0.5, 5, 5), // rank 2
        ];
        var split = TpeSampler.SplitTrials(study, trials, 3);
        Assert.Equal(3, split.Below.Count);
        Assert.Contains(split.Below, t => t.Number == 0);
        Assert.Contains(split.Below, t => t.Number == 1);
        Assert.DoesNotContain(split.Below, t => t.Number == 4);
    }

    [Fact]
    public void MotpeWeights_AreHypervolumeContributionsOverTheLargest()
    {
        var study = new StudyView("s", [StudyDirection.Minimize, StudyDirection.Minimize], []);
        FrozenTrial[] below = [Complete(0, 0, 1, 3), Complete(1, 0, 2, 2), Complete(2, 0, 3, 1), Complete(3, 0, 3, 3)];
        var w = TpeSampler.MotpeWeights(study, below);
        // Reference (3.3, 3.3): contributions 1·0.3·… computed by hand: p0 (1,3): (2-1)·(3.3-3)=0.3; p1: (3-2)·(3-2)=1; p2: 0.3; p3 dominated.
        Assert.Equal([0.3, 1, 0.3, 1e-12], w, new TpeMathTests.ToleranceComparer(1e-9));
    }

    [Fact]
    public void ConstantLiar_RecordsTheJointSampleAndReadsItBack()
    {
        var sampler = new TpeSampler(new TpeOptions(1, NStartupTrials: 2, Multivariate: true, ConstantLiar: true));
        var study = new InMemoryStudy("s", [StudyDirection.Minimize], sampler);
        for (var i = 0; i < 3; i++)
        {
            var t = study.Ask();
            var x = (double)t.Suggest("x", Unit)!;
            t.Suggest("y", Unit);
            study.Tell(t, TrialState.Complete, [x]);
        }
        var running = study.Ask();
        var json = running.Trial.SystemAttrs[TpeSampler.RelativeParamsKey];
        var read = TpeSampler.ReadParams(running.Trial)!;
        Assert.Equal(2, read.Count);
        Assert.Contains("\"x\":", json, StringComparison.Ordinal);
        Assert.Equal(read["x"], running.SuggestInternal("x", Unit));
    }

    [Fact]
    public void ConstantLiar_KeepsParallelAsksApart()
    {
        // Ten workers ask before any of them reports: with the liar the suggestions spread out, without it they
        // crowd around the same good region.
        double Spread(bool liar)
        {
            var sampler = new TpeSampler(new TpeOptions(5, NStartupTrials: 10, Multivariate: true, ConstantLiar: liar));
            var study = new InMemoryStudy("s", [StudyDirection.Minimize], sampler);
            for (var i = 0; i < 30; i++)
            {
                var t = study.Ask();
                var x = (double)t.Suggest("x", Unit)!;
                var y = (double)t.Suggest("y", Unit)!;
                study.Tell(t, TrialState.Complete, [((x - 0.3) * (x - 0.3)) + ((y - 0.6) * (y - 0.6))]);
            }
            var batch = Enumerable.Range(0, 10).Select(_ => study.Ask()).ToList();
            var points = batch.Select(t => ((double)t.Suggest("x", Unit)!, (double)t.Suggest("y", Unit)!)).ToList();
            return points.SelectMany((p, i) => points.Skip(i + 1).Select(q => Math.Sqrt(((p.Item1 - q.Item1) * (p.Item1 - q.Item1)) + ((p.Item2 - q.Item2) * (p.Item2 - q.Item2))))).Average();
        }
        Assert.True(Spread(true) >= Spread(false) * 0.9, string.Create(CultureInfo.InvariantCulture, $"liar {Spread(true)} vs none {Spread(false)}"));
    }

    [Fact]
    public void Group_SamplesConditionalBranchesFromTheirOwnHistory()
    {
        var sampler = new TpeSampler(TpeOptions.FathomDefaults(2) with { NStartupTrials = 5 });
        var study = new InMemoryStudy("s", [StudyDirection.Minimize], sampler);
        var kinds = new CategoricalDistribution(["lin", "tree"]);
        for (var i = 0; i < 40; i++)
        {
            var t = study.Ask();
            var kind = (string)t.Suggest("kind", kinds)!;
            var value = kind == "lin"
                ? Math.Abs((double)t.Suggest("alpha", new FloatDistribution(1e-4, 1, log: true))! - 0.01)
                : Math.Abs((long)t.Suggest("depth", new IntDistribution(1, 12))! - 4) / 10.0;
            study.Tell(t, TrialState.Complete, [value]);
        }
        var groups = SearchSpaces.Groups(study.View());
        Assert.Equal([["alpha"], ["depth"], ["kind"]], groups.Select(g => g.Select(p => p.Key).ToArray()).ToArray());
        Assert.All(study.Trials, t => Assert.True(t.Params.ContainsKey("alpha") ^ t.Params.ContainsKey("depth")));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Options_RefuseAMagicClipExponentThatIsNotAPositiveNumber(double exponent) =>
        Assert.Throws<ArgumentException>(() => new TpeSampler(new TpeOptions(1) { MagicClipExponent = exponent }));

    [Fact]
    public void SpaceRows_OrdersSortEachSide_WithRunningRowsMergedIn() =>
        Gen.Select(Gen.Int[0, 5].Array[1, 40], Gen.Int[0, 5].Array[0, 4], Gen.Int).Sample(p =>
        {
            // Coarse values, so ties are common; rows filed in a random order of trial numbers.
            var (values, running, seed) = p;
            var rng = new Random(seed);
            var cache = new TpeSampler.SpaceRows(2);
            foreach (var n in Enumerable.Range(0, values.Length).OrderBy(_ => rng.Next()))
            {
                cache.Add(n, [values[n], -values[n]]);
            }
            // One side: some finished trials and the running rows, interleaved.
            var side = Enumerable.Range(0, values.Length).Where(_ => rng.Next(2) == 0).Select(n => (Row: cache.Rows[n]!, Number: n)).ToList();
            foreach (var v in running)
            {
                side.Insert(rng.Next(side.Count + 1), ([v, -v], -1));
            }
            var kept = side.Select(e => e.Row).ToList();
            var unsorted = Enumerable.Range(0, side.Count).Where(k => side[k].Number < 0).ToList();
            var orders = cache.Orders(kept, [.. side.Select(e => e.Number)], unsorted);
            return orders.Select((order, j) =>
                order.Order().SequenceEqual(Enumerable.Range(0, kept.Count))
                && order.Zip(order.Skip(1)).All(q => kept[q.First][j] <= kept[q.Second][j])).All(ok => ok);
        });

    [Fact]
    public void Tpe_BeatsRandomOnBraninAtAHundredTrialsForMostSeeds()
    {
        var wins = 0;
        for (var seed = 0; seed < 10; seed++)
        {
            if (Best(new TpeSampler(new TpeOptions(seed))) < Best(new RandomSampler(new RandomOptions(seed))))
            {
                wins++;
            }
        }
        Assert.True(wins >= 7, $"TPE beat random on {wins} of 10 seeds");

        static double Best(ISampler sampler)
        {
            var study = new InMemoryStudy("branin", [StudyDirection.Minimize], sampler);
            for (var i = 0; i < 100; i++)
            {
                var t = study.Ask();
                var x = (double)t.Suggest("x", new FloatDistribution(-5, 10))!;
                var y = (double)t.Suggest("y", new FloatDistribution(0, 15))!;
                var v = Math.Pow(y - 5.1 / (4 * Math.PI * Math.PI) * x * x + 5 / Math.PI * x - 6, 2) + 10 * (1 - 1 / (8 * Math.PI)) * Math.Cos(x) + 10;
                study.Tell(t, TrialState.Complete, [v]);
            }
            return study.BestTrial()!.Value!.Value;
        }
    }
}
