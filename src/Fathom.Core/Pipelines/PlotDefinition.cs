namespace Fathom.Pipelines;

/// <summary>
/// One plot of a pipeline, from the top-level <c>plots:</c> of <c>dvc.yaml</c> or a stage's <c>plots</c> output:
/// its id (a data file's path, or a name), the fields drawn from each data file, and DVC's display properties.
/// </summary>
/// <param name="Id">The plot id: the data file's path (relative to dvc.yaml's folder) or the name given in dvc.yaml.</param>
/// <param name="Y">Data file (relative to dvc.yaml's folder) → the fields drawn on the y axis; empty = DVC's default, the file's last field.</param>
/// <param name="X">Data file → the x field; a file missing here uses <c>step</c>, the row's index, as DVC does.</param>
/// <param name="Template">DVC's template name (<c>linear</c> by default).</param>
/// <param name="Title">The title, else the id.</param>
/// <param name="XLabel">The x axis label, else the x field.</param>
/// <param name="YLabel">The y axis label, else the y field.</param>
internal sealed record PlotDefinition(
    string Id,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Y,
    IReadOnlyDictionary<string, string> X,
    string Template,
    string? Title,
    string? XLabel,
    string? YLabel)
{
    /// <summary>DVC's built-in plot templates (<c>dvc plots templates</c>).</summary>
    public static readonly IReadOnlyList<string> Templates =
        ["linear", "simple", "scatter", "smooth", "confusion", "confusion_normalized", "bar_horizontal", "bar_horizontal_sorted", "scatter_jitter"];

    /// <summary>DVC's <c>confusion</c> and <c>confusion_normalized</c>: records of (actual = x, predicted = y) counted into a matrix.</summary>
    public bool IsConfusion => Template.StartsWith("confusion", StringComparison.Ordinal);

    /// <summary>DVC's <c>bar_horizontal</c> and <c>bar_horizontal_sorted</c>: one bar per record, its length x, its label y.</summary>
    public bool IsBar => Template.StartsWith("bar_horizontal", StringComparison.Ordinal);

    /// <summary>Image plots are shown as they are instead of drawn from data.</summary>
    public static bool IsImage(string path) => Path.GetExtension(path).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".gif" or ".svg";
}
