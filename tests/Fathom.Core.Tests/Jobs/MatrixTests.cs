using Fathom.Config;
using Fathom.Jobs;
using Fathom.Tuning;

namespace Fathom.Tests.Jobs;

public sealed class MatrixTests
{
    private static MatrixSpec Matrix(string matrix)
    {
        var text = $"""
            version: 1.1
            kind: operation
            pathRef: train.yml
            matrix:
            {string.Join('\n', matrix.Split('\n').Select(l => "  " + l))}
            """;
        return PolyaxonReader.Read(text, "tune.yml").Operation!.Matrix!;
    }

    [Fact]
    public void Grid_DiscreteGenerators_ExpandAsNumpyAndRunEveryCombination()
    {
        var plan = MatrixStudyPlan.From(Matrix("""
            kind: grid
            concurrency: 2
            params:
              optimiser: {kind: choice, value: [adam, rmsprop]}
              epochs: {kind: range, value: [1, 10, 3]}
              dropout: {kind: linspace, value: {start: 0, stop: 1, num: 3}}
              lr: {kind: logspace, value: '-3:-1:3'}
            """));

        var grid = Assert.IsType<GridOptions>(plan.Sampler).SearchSpace;
        Assert.Equal(["adam", "rmsprop"], grid["optimiser"]);
        Assert.Equal([1L, 4L, 7L], grid["epochs"]);
        Assert.Equal([0.0, 0.5, 1.0], grid["dropout"]);
        Assert.Equal([0.001, 0.01, 0.1], grid["lr"].Select(v => Math.Round((double)v!, 12)).Cast<object?>());
        Assert.Equal((2 * 3 * 3 * 3, 2), (plan.NTrials, plan.NJobs));
        Assert.Equal([StudyDirection.Minimize], plan.Directions);
        Assert.Empty(plan.Objectives);
    }

    [Fact]
    public void RandomAndBayes_MapOntoTheSamplersWithFloatParamsAndTheMetric()
    {
        var random = MatrixStudyPlan.From(Matrix("""
            kind: random
            numRuns: 12
            seed: 7
            params:
              lr: {kind: loguniform, value: [-9.2, -2.3]}
              l2: {kind: uniform, value: '0:1'}
              bs: {kind: choice, value: [16, 32]}
            """));
        Assert.Equal(new RandomOptions(7), random.Sampler);
        Assert.Equal(12, random.NTrials);
        var lr = Assert.IsType<FloatDistribution>(random.SearchSpace[0].Value);
        Assert.Equal((Math.Exp(-9.2), Math.Exp(-2.3), true), (lr.Low, lr.High, lr.Log));
        Assert.IsType<CategoricalDistribution>(random.SearchSpace[2].Value);

        var bayes = MatrixStudyPlan.From(Matrix("""
            kind: bayes
            numInitialRuns: 5
            maxIterations: 15
            metric: {name: val_accuracy, optimization: maximize}
            params:
              lr: {kind: uniform, value: [0.001, 0.1]}
            """));
        Assert.Equal(5, Assert.IsType<TpeOptions>(bayes.Sampler).NStartupTrials);
        Assert.Equal((20, StudyDirection.Maximize, "val_accuracy"), (bayes.NTrials, bayes.Directions[0], bayes.Objectives[0]));
        Assert.Contains("TPE", Assert.Single(bayes.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public void Hyperband_RunsPolyaxonsBracketCountsWithTheFullBudgetUnderTheHyperbandPruner()
    {
        Assert.Equal(81 + 34 + 15 + 8 + 5, MatrixStudyPlan.HyperbandRuns(81, 3));
        var plan = MatrixStudyPlan.From(Matrix("""
            kind: hyperband
            maxIterations: 81
            eta: 3
            resource: {name: num_epochs, type: int}
            metric: {name: loss, optimization: minimize}
            params:
              lr: {kind: uniform, value: [0.001, 0.1]}
            """));
        Assert.Equal(143, plan.NTrials);
        var resource = Assert.Single(plan.FixedParams);
        Assert.Equal(("num_epochs", 81L), (resource.Key, ((ConfigScalar)resource.Value).Value));
        Assert.Equal("hyperband", plan.Pruner.Type);
        Assert.IsType<HyperbandPruner>(plan.Pruner.Create());
    }

    [Theory]
    [InlineData("kind: gird\nparams:\n  a: {kind: choice, value: [1]}", "tune.yml:5: matrix.kind: 'gird' is not a matrix kind; did you mean 'grid'?")]
    [InlineData("kind: random\nparams:\n  a: {kind: choise, value: [1]}", "tune.yml:7: matrix.params.a.kind: 'choise' is not a param generator; did you mean 'choice'?")]
    [InlineData("kind: random\nnumruns: 3\nparams:\n  a: {kind: choice, value: [1]}", "tune.yml:6: matrix.numruns: unknown field; did you mean 'numRuns'?")]
    public void Read_BadMatrix_NamesFileLineAndField(string matrix, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => Matrix(matrix));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind: random\nparams:\n  a: {kind: choice, value: [1]}", "matrix.numRuns: is required for a random search")]
    [InlineData("kind: grid\nparams:\n  a: {kind: uniform, value: [0, 1]}", "matrix.params.a: a grid takes discrete generators only")]
    [InlineData("kind: random\nnumRuns: 3\nparams:\n  a: {kind: normal, value: [0, 1]}", "matrix.params.a.kind: normal cannot run here")]
    [InlineData("kind: hyperopt\nnumRuns: 3\nparams:\n  a: {kind: uniform, value: [0, 1]}", "matrix.metric: is required for a hyperopt search")]
    [InlineData("kind: grid\nparams:\n  a: {kind: range, value: [0, 1000, 1]}\n  b: {kind: range, value: [0, 1000, 1]}", "more than 100,000; cap it with numRuns")]
    public void Plan_SearchFathomCannotRun_IsRefusedByField(string matrix, string expected)
    {
        var spec = Matrix(matrix);
        var error = Assert.Throws<ConfigException>(() => MatrixStudyPlan.From(spec));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
