using Fathom.Cli.Rendering;

namespace Fathom.Cli.Tests;

public sealed class MetricColumnsTests
{
    private static readonly string[] TrainingRun =
        ["fit_seconds", "model_size_bytes", "test_accuracy", "test_f1", "test_log_loss", "test_roc_auc", "val_accuracy", "val_f1", "val_log_loss"];

    [Fact]
    public void Choose_TrainingRun_ShowsQualityMetricsTestFirst_NeverTimingsAheadOfThem()
    {
        Assert.Equal(["test_accuracy", "val_accuracy", "test_f1", "val_f1"], MetricColumns.Choose(TrainingRun, null));
    }

    [Fact]
    public void Choose_OnlyBookkeeping_StillFillsTheColumns()
    {
        Assert.Equal(["fit_seconds", "model_size_bytes"], MetricColumns.Choose(["model_size_bytes", "fit_seconds"], null));
    }

    [Fact]
    public void Choose_Requested_IsTakenAsGiven()
    {
        Assert.Equal(["fit_seconds", "missing"], MetricColumns.Choose(TrainingRun, ["fit_seconds", "missing"]));
    }

    [Fact]
    public void Choose_SearchedMetrics_ComeFirst()
    {
        var named = MetricColumns.Named(["metrics.val_log_loss < 0.5 AND params.x = '1'", "metrics.`fit_seconds` ASC"]);

        Assert.Equal(["val_log_loss", "fit_seconds"], named);
        Assert.Equal(["val_log_loss", "fit_seconds", "test_accuracy", "val_accuracy"], MetricColumns.Choose(TrainingRun, null, first: named));
    }
}
