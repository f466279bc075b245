using Fathom.Data;
using Fathom.Pipelines;

namespace Fathom.Tests.Pipelines;

/// <summary>DVC's plot definitions in dvc.yaml (top-level and stage-level) and reading plot data.</summary>
public sealed class PlotDefinitionsTests
{
    private const string DvcYaml = """
        stages:
          train:
            cmd: python train.py
            plots:
            - logs/loss.csv:
                x: epoch
                y: loss
                cache: false
        plots:
        - eval/roc.json
        - acc:
            x: step
            y:
              eval/train.json: acc
              eval/test.json: [acc, f1]
            template: scatter
            title: Accuracy
        """;

    [Fact]
    public void Parse_TopLevelAndStagePlots_AsDvcDefinesThem()
    {
        using var dir = new TempDirectory();
        var pipeline = PipelineParser.Parse(DvcYaml, dir.Combine("dvc.yaml"), "dvc.yaml");

        Assert.Equal(["eval/roc.json", "acc"], pipeline.Plots.Select(p => p.Id));
        var acc = pipeline.Plots[1];
        Assert.Equal(["acc"], acc.Y["eval/train.json"]);
        Assert.Equal(["acc", "f1"], acc.Y["eval/test.json"]);
        Assert.Equal("step", acc.X["eval/test.json"]);
        Assert.Equal(("scatter", "Accuracy"), (acc.Template, acc.Title));
        Assert.Empty(pipeline.Plots[0].Y["eval/roc.json"]);
        var loss = pipeline.Stages.Single().Outs.Single();
        Assert.False(loss.Cache);
        Assert.Equal(["loss"], loss.Plot!.Y["logs/loss.csv"]);
        Assert.Equal("epoch", loss.Plot.X["logs/loss.csv"]);
    }

    [Theory]
    [InlineData("plots:\n- acc:\n    y: 3\n", "dvc.yaml:3: plots.acc: 'y' must be a field, a list of fields, or a mapping of data files to fields.")]
    [InlineData("plots:\n- acc:\n    colour: red\n", "dvc.yaml:3: plots.acc: unknown property 'colour' (expected x, y, template, title, x_label, y_label).")]
    [InlineData("plots:\n- acc.json:\n    template: pie\n", "dvc.yaml:3: plots.acc.json: unknown template 'pie'")]
    [InlineData("plots: acc.json\n", "dvc.yaml:1: plots: must be a list")]
    [InlineData("stages:\n  t:\n    cmd: x\n    plots:\n    - a.csv:\n        y: {b.csv: v}\n", "dvc.yaml:6: plots.a.csv: 'y' of a stage's plot names fields of that file")]
    public void Parse_BadPlots_SayWhereAndWhat(string yaml, string message)
    {
        using var dir = new TempDirectory();

        var error = Assert.Throws<DvcFormatException>(() => PipelineParser.Parse(yaml, dir.Combine("dvc.yaml"), "dvc.yaml"));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlotData_CsvJsonAndYaml_GiveSeries_InferringYAndStep()
    {
        var csv = PlotData.Parse("epoch,loss\n1,0.9\n2,0.5\n", "loss.csv");
        var json = PlotData.Parse("{\"train\": [{\"acc\": 0.5}, {\"acc\": 0.75}]}", "acc.json");

        var loss = PlotData.Series("workspace", "loss.csv", csv, [], "epoch").Single();
        var acc = PlotData.Series("workspace", "acc.json", json, [], null).Single();

        Assert.Equal(("epoch", "loss"), (loss.XField, loss.YField));
        Assert.Equal([new PlotPoint(1d, 0.9), new PlotPoint(2d, 0.5)], loss.Points);
        Assert.Equal(("step", "acc"), (acc.XField, acc.YField));
        Assert.Equal([new PlotPoint(0, 0.5), new PlotPoint(1, 0.75)], acc.Points);
        Assert.Equal(DataErrorKind.InvalidInput, Assert.Throws<DataException>(() => PlotData.Series("workspace", "loss.csv", csv, ["nope"], null)).Kind);
    }
}
