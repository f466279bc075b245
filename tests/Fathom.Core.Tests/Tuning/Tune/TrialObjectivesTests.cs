using Fathom.Tuning;

namespace Fathom.Tests.Tuning.Tune;

/// <summary>Objective values from the tracked run, a metrics file or stdout lines, and intermediate values from step lines.</summary>
public sealed class TrialObjectivesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static TrialOutput Printed(string objective, params string[] lines)
    {
        var output = new TrialOutput(objective);
        foreach (var line in lines)
        {
            output.Read(line);
        }

        return output;
    }

    [Fact]
    public void Read_StepLines_ReportTheFirstObjectiveAtEachStep()
    {
        var output = new TrialOutput("val_loss");

        Assert.Equal((0, 0.9), output.Read("epoch done: step=0 val_loss=0.9 acc=0.5"));
        Assert.Null(output.Read("step=1"));
        Assert.Equal((1, 0.7), output.Read("val_loss = 0.7"));
        Assert.Null(output.Read("acc=0.6 lr=1e-3 note=ok"));
        Assert.Equal((2, double.NaN), output.Read("step=2, val_loss=nan"));

        Assert.Equal(double.NaN, output.Latest["val_loss"]);
        Assert.Equal((0.6, 1e-3), (output.Latest["acc"], output.Latest["lr"]));
        Assert.False(output.Latest.ContainsKey("note"));
        Assert.Equal("step=2, val_loss=nan", output.LastLine);
    }

    [Theory]
    [InlineData("0.25", new[] { 0.25 })]
    [InlineData("[0.3, 0.8]", new[] { 0.3, 0.8 })]
    [InlineData("0.3,0.8", new[] { 0.3, 0.8 })]
    [InlineData("(1e-3 inf)", new[] { 1e-3, double.PositiveInfinity })]
    public void ReturnValue_NumbersOnTheLastLine(string line, double[] expected) => Assert.Equal(expected, TrialOutput.ReturnValue(line));

    [Fact]
    public void ReturnValue_NotNumbers_IsNull() => Assert.Null(TrialOutput.ReturnValue("done: 0.3"));

    [Fact]
    public void Resolve_SourcesInOrder_TheFirstWithEveryObjectiveWins()
    {
        string[] names = ["val_log_loss", "val_accuracy"];
        var stdout = Printed("val_log_loss", "val_log_loss=0.5 val_accuracy=0.7");
        var run = new Dictionary<string, double> { ["val_log_loss"] = 0.4, ["val_accuracy"] = 0.8 };
        var partialRun = new Dictionary<string, double> { ["val_log_loss"] = 0.4 };
        var file = new Dictionary<string, double> { ["val_log_loss"] = 0.45, ["val_accuracy"] = 0.75 };

        Assert.Equal(("0.4 0.8", TrialObjectives.FromRun), Pair(TrialObjectives.Resolve(names, 2, run, file, stdout)));
        Assert.Equal(("0.45 0.75", TrialObjectives.FromFile), Pair(TrialObjectives.Resolve(names, 2, partialRun, file, stdout)));
        Assert.Equal(("0.5 0.7", TrialObjectives.FromStdout), Pair(TrialObjectives.Resolve(names, 2, partialRun, null, stdout)));
        var none = TrialObjectives.Resolve(names, 2, partialRun, null, Printed("val_log_loss", "hello"));
        Assert.Null(none.Values);
        Assert.Equal("no value for val_log_loss, val_accuracy: the tracked run had val_log_loss; the metrics file had nothing; stdout had no metrics", none.Problem);
    }

    [Fact]
    public void Resolve_NoObjectiveNames_TakesTheLastLineAsTheReturnValue()
    {
        Assert.Equal(("0.3 0.9", TrialObjectives.FromReturnValue), Pair(TrialObjectives.Resolve([], 2, null, null, Printed("", "loss=1", "[0.3, 0.9]"))));
        var wrong = TrialObjectives.Resolve([], 2, null, null, Printed("", "0.3"));
        Assert.Contains("must hold 2 number(s) (the return value), and it is '0.3'", wrong.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_JsonOrYamlNested_FlattenedWithDots()
    {
        var json = _dir.WriteFile("m.json", "{\"val\": {\"loss\": 0.25, \"acc\": 1}, \"n\": [1, 2]}");
        var yaml = _dir.WriteFile("m2.json", "val:\n  loss: 0.5\n");

        Assert.Equal(new Dictionary<string, double> { ["val.loss"] = 0.25, ["val.acc"] = 1, ["n.0"] = 1, ["n.1"] = 2 }, TrialObjectives.ReadFile(json));
        Assert.Equal(0.5, TrialObjectives.ReadFile(yaml)!["val.loss"]);
        Assert.Null(TrialObjectives.ReadFile(_dir.Combine("absent.json")));
        Assert.Throws<InvalidDataException>(() => TrialObjectives.ReadFile(_dir.WriteFile("bad.json", "{not json")));
    }

    private static (string, string) Pair(ObjectiveValues found) => (string.Join(' ', found.Values ?? []), found.Source);
}
