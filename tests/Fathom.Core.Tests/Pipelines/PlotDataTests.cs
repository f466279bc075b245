using Fathom.Data;
using Fathom.Pipelines;

namespace Fathom.Tests.Pipelines;

/// <summary>Reading plot files as DVC does (RFC 4180 CSV, TSV, JSON, YAML) and the series of the categorical templates.</summary>
public sealed class PlotDataTests
{
    private static readonly PlotDefinition Confusion = new("cm.csv", new Dictionary<string, IReadOnlyList<string>> { ["cm.csv"] = ["predicted"] }, new Dictionary<string, string> { ["cm.csv"] = "actual" }, "confusion", null, null, null);

    [Fact]
    public void Csv_QuotedCells_KeepCommasQuotesAndLineBreaks()
    {
        var rows = PlotData.Parse("name,\"a, b\",note\r\n\"x, y\",1,\"say \"\"hi\"\"\"\n\n\"two\nlines\",2,\n", "t.csv");

        Assert.Equal(["name", "a, b", "note"], rows[0].Keys);
        Assert.Equal(2, rows.Count);
        Assert.Equal(["x, y", "1", "say \"hi\""], rows[0].Values);
        Assert.Equal(["two\nlines", "2", ""], rows[1].Values);
    }

    [Fact]
    public void Tsv_AndShortRows_LeaveMissingCellsEmpty()
    {
        var rows = PlotData.Parse("step\tloss\tacc\n1\t0.5\n\"2\"\t0.25\t0.9\n", "t.tsv");

        Assert.Equal([("1", "0.5", (string?)null), ("2", "0.25", "0.9")], rows.Select(r => ((string?)r["step"], (string?)r["loss"], (string?)r["acc"])));
    }

    [Fact]
    public void YamlAndJson_ListsInsideMappings_AreTheRecords()
    {
        var yaml = PlotData.Parse("train:\n- {loss: 0.5}\n- {loss: 0.25}\n", "m.yaml");
        var json = PlotData.Parse("[1, 2]", "v.json");

        Assert.Equal([0.5, 0.25], yaml.Select(r => (double)r["loss"]!));
        Assert.Equal([1d, 2d], json.Select(r => Convert.ToDouble(r["value"], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void CategorySeries_Confusion_OnePointPerRecord_ActualAndPredicted()
    {
        var rows = PlotData.Parse("actual,predicted\ncat,cat\ncat,dog\ndog,dog\n", "cm.csv");

        var series = PlotData.CategorySeries("workspace", "cm.csv", rows, Confusion, ["predicted"], "actual").Single();

        Assert.Equal(("actual", "predicted"), (series.XField, series.YField));
        Assert.Equal([new PlotPoint("cat", 1, "cat"), new PlotPoint("cat", 1, "dog"), new PlotPoint("dog", 1, "dog")], series.Points);
    }

    [Fact]
    public void CategorySeries_Bars_LabelFromYLengthFromX_AndBothFieldsAreNeeded()
    {
        var bars = Confusion with { Template = "bar_horizontal" };
        var rows = PlotData.Parse("feature,importance\nlength,0.7\n\"words, rare\",0.2\n", "imp.csv");

        var series = PlotData.CategorySeries("workspace", "imp.csv", rows, bars, ["feature"], "importance").Single();
        var missing = Assert.Throws<DataException>(() => PlotData.CategorySeries("workspace", "imp.csv", rows, bars, ["feature"], null));

        Assert.Equal([new PlotPoint("length", 0.7), new PlotPoint("words, rare", 0.2)], series.Points);
        Assert.Equal("Plot 'cm.csv': the 'bar_horizontal' template needs both 'x' and 'y' fields of 'imp.csv' (set them in dvc.yaml, or with -x and -y).", missing.Message);
    }

    [Fact]
    public void Overrides_ReplaceTemplateFieldsAndLabels_ForEveryDataFile()
    {
        var plot = Confusion with { Template = "linear", X = new Dictionary<string, string>(), Title = "old" };

        var changed = new PlotOverrides(Template: "confusion_normalized", X: "truth", Y: "guess", XLabel: "Truth").Apply(plot);
        var unknown = Assert.Throws<DataException>(() => new PlotOverrides(Template: "pie").Apply(plot));

        Assert.Equal(("confusion_normalized", "old", "Truth", (string?)null), (changed.Template, changed.Title, changed.XLabel, changed.YLabel));
        Assert.Equal("truth", changed.X["cm.csv"]);
        Assert.Equal(["guess"], changed.Y["cm.csv"]);
        Assert.StartsWith("--template: unknown template 'pie'", unknown.Message, StringComparison.Ordinal);
    }
}
