using System.Globalization;
using Fathom.Tuning;

namespace Fathom.Tests.Tuning;

public sealed class PrunerTests
{
    private static FrozenTrial Curve(int number, TrialState state, params double[] values)
    {
        var steps = values.Select((v, i) => (i, v)).ToDictionary(p => p.i, p => p.v);
        return FrozenTrial.Create(number, state, new Dictionary<string, (ParamDistribution, double)>(), state == TrialState.Complete ? [values[^1]] : null, steps);
    }

    [Fact]
    public void Median_PrunesATrialWorseThanTheMedianAtItsStep()
    {
        var completed = Enumerable.Range(0, 5).Select(i => Curve(i, TrialState.Complete, 10 - i, 8 - i, 6 - i)).ToList();
        var study = new StudyView("s", [StudyDirection.Minimize], completed);
        var pruner = PercentilePruner.Median();
        // Medians: step 0 → 8, step 1 → 6.
        Assert.True(pruner.ShouldPrune(study, Curve(5, TrialState.Running, 9)).Prune);
        Assert.False(pruner.ShouldPrune(study, Curve(5, TrialState.Running, 7.5)).Prune);
        // The trial's best so far counts: 5 at step 0 keeps it alive at step 1 even at 7.
        Assert.False(pruner.ShouldPrune(study, Curve(5, TrialState.Running, 5, 7)).Prune);
        Assert.True(pruner.ShouldPrune(study, Curve(5, TrialState.Running, double.NaN)).Prune);
    }

    [Fact]
    public void Median_WaitsForStartupTrialsWarmupAndInterval()
    {
        var few = new StudyView("s", [StudyDirection.Minimize], [.. Enumerable.Range(0, 4).Select(i => Curve(i, TrialState.Complete, 1, 1, 1))]);
        Assert.False(PercentilePruner.Median().ShouldPrune(few, Curve(4, TrialState.Running, 100)).Prune);
        var enough = new StudyView("s", [StudyDirection.Minimize], [.. Enumerable.Range(0, 5).Select(i => Curve(i, TrialState.Complete, 1, 1, 1, 1, 1))]);
        Assert.False(PercentilePruner.Median(nWarmupSteps: 2).ShouldPrune(enough, Curve(5, TrialState.Running, 100, 100)).Prune);
        Assert.True(PercentilePruner.Median(nWarmupSteps: 2).ShouldPrune(enough, Curve(5, TrialState.Running, 100, 100, 100)).Prune);
        // Interval 2 from warm-up 0: checks at steps 0, 2, 4; at step 3 the step-2 check already happened.
        var interval = PercentilePruner.Median(intervalSteps: 2);
        Assert.True(interval.ShouldPrune(enough, Curve(5, TrialState.Running, 100, 100, 100)).Prune);
        Assert.False(interval.ShouldPrune(enough, Curve(5, TrialState.Running, 100, 100, 100, 100)).Prune);
    }

    [Fact]
    public void Percentile_MaximiseUsesTheUpperPercentile()
    {
        var study = new StudyView("s", [StudyDirection.Maximize], [.. Enumerable.Range(0, 5).Select(i => Curve(i, TrialState.Complete, i))]);
        var pruner = new PercentilePruner(new PercentilePrunerOptions(25, NStartupTrials: 0));
        // 75th percentile of 0..4 is 3: a trial at 2.5 is pruned, at 3.5 kept.
        Assert.True(pruner.ShouldPrune(study, Curve(5, TrialState.Running, 2.5)).Prune);
        Assert.False(pruner.ShouldPrune(study, Curve(5, TrialState.Running, 3.5)).Prune);
        Assert.Equal(3, PercentilePruner.Percentile([0, 1, 2, 3, 4], 75));
    }

    [Fact]
    public void SuccessiveHalving_PromotesTheTopQuarterAtEachRung()
    {
        var pruner = new SuccessiveHalvingPruner(new SuccessiveHalvingOptions(MinResource: 1, ReductionFactor: 4));
        var trials = new List<FrozenTrial>();
        var outcomes = new List<bool>();
        // Eight trials reach step 1 (rung 0) with values 8, 7, …, 1: the first is alone and promoted; later ones
        // compete with all before them and get through only within the best ⌊n/4⌋ (at least one).
        for (var i = 0; i < 8; i++)
        {
            var t = Curve(i, TrialState.Running, 100, 8 - i);
            var decision = pruner.ShouldPrune(new StudyView("s", [StudyDirection.Minimize], [.. trials, t]), t);
            trials.Add(t.WithSystemAttrs(decision.SystemAttrs));
            outcomes.Add(decision.Prune);
            Assert.Equal((8.0 - i).ToString("R", CultureInfo.InvariantCulture), decision.SystemAttrs[SuccessiveHalvingPruner.RungKey(0)]);
        }
        Assert.All(outcomes, pruned => Assert.False(pruned));
        var worse = Curve(8, TrialState.Running, 100, 7.5);
        Assert.True(pruner.ShouldPrune(new StudyView("s", [StudyDirection.Minimize], [.. trials, worse]), worse).Prune);
        // Rung 1 is at step 4: a promoted trial reaching it is judged again there.
        var promoted = trials[7].WithReport(2, 1).WithReport(3, 1).WithReport(4, 0.5);
        var again = pruner.ShouldPrune(new StudyView("s", [StudyDirection.Minimize], [.. trials]), promoted);
        Assert.True(again.SystemAttrs.ContainsKey(SuccessiveHalvingPruner.RungKey(1)));
        Assert.False(again.Prune);
    }

    [Fact]
    public void SuccessiveHalving_AutoMinResourceWaitsForACompleteTrial()
    {
        var pruner = new SuccessiveHalvingPruner();
        var running = Curve(0, TrialState.Running, 5, 5, 5);
        Assert.False(pruner.ShouldPrune(new StudyView("s", [StudyDirection.Minimize], [running]), running).Prune);
        Assert.Empty(pruner.ShouldPrune(new StudyView("s", [StudyDirection.Minimize], [running]), running).SystemAttrs);
    }

    [Fact]
    public void Hyperband_BracketsFollowTheBudgetsAndTheTrialHash()
    {
        var pruner = new HyperbandPruner(new HyperbandOptions(MinResource: 1, MaxResource: 27, ReductionFactor: 3));
        var study = new StudyView("study", [StudyDirection.Minimize], []);
        var budgets = pruner.Budgets(study)!;
        // B = ⌊log3 27⌋ + 1 = 4 brackets; budgets ⌈4·3^s/(s+1)⌉ for s = 3, 2, 1, 0.
        Assert.Equal([27, 12, 6, 4], budgets);
        var counts = new int[4];
        for (var n = 0; n < 4900; n++)
        {
            counts[HyperbandPruner.Bracket("study", n, budgets)]++;
        }
        for (var b = 0; b < 4; b++)
        {
            Assert.InRange(counts[b] / 4900.0, budgets[b] / 49.0 - 0.04, budgets[b] / 49.0 + 0.04);
        }
        // The same study name and trial number always land in the same bracket (workers agree without talking).
        Assert.Equal(HyperbandPruner.Bracket("study", 17, budgets), HyperbandPruner.Bracket("study", 17, budgets));
    }

    [Fact]
    public void Hyperband_RanksOnlyWithinTheTrialsBracket()
    {
        var pruner = new HyperbandPruner(new HyperbandOptions(MinResource: 1, MaxResource: 9, ReductionFactor: 3));
        var budgets = pruner.Budgets(new StudyView("h", [StudyDirection.Minimize], []))!;
        var trials = Enumerable.Range(0, 40).Select(i => Curve(i, TrialState.Complete, 1, 1, 1, 1)).ToList();
        var study = new StudyView("h", [StudyDirection.Minimize], trials);
        var view = pruner.BracketStudy(study, 3);
        var bracket = HyperbandPruner.Bracket("h", 3, budgets);
        Assert.All(view.Trials, t => Assert.Equal(bracket, HyperbandPruner.Bracket("h", t.Number, budgets)));
        Assert.True(view.Trials.Count < trials.Count);
    }
}
