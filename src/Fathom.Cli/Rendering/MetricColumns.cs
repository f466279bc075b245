namespace Fathom.Cli.Rendering;

/// <summary>
/// Which metrics a runs table shows when it has room for a few: the ones asked for, else the ones users judge runs by
/// (accuracy, F1, AUC, loss…, test before validation before the rest), never timings or sizes ahead of those.
/// </summary>
internal static partial class MetricColumns
{
    public const int Default = 4;

    // The names of quality metrics, best known first; a key ranks by the first name it contains.
    private static readonly string[] Quality = ["accuracy", "acc", "f1", "roc_auc", "auc", "log_loss", "loss", "precision", "recall", "rmse", "mae", "mse", "r2"];

    // What is about the run rather than the model: shown only when nothing else is left.
    private static readonly string[] Bookkeeping = ["seconds", "_time", "duration", "bytes", "size", "memory", "count", "epoch", "step"];

    /// <summary>
    /// The columns: <paramref name="requested"/> as given when there is any (keys no run has are still shown, empty),
    /// else at most <paramref name="count"/> of <paramref name="keys"/> ranked as the summary says.
    /// </summary>
    /// <param name="keys">The metric keys the runs have.</param>
    /// <param name="requested">The user's choice (<c>--metrics</c>), taken as given.</param>
    /// <param name="count">How many columns to show without a choice.</param>
    /// <param name="first">Keys to put ahead of the ranking (those a search filters or orders by) when the runs have them.</param>
    public static IReadOnlyList<string> Choose(IEnumerable<string> keys, IReadOnlyList<string>? requested, int count = Default, IReadOnlyList<string>? first = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (requested is { Count: > 0 })
        {
            return requested;
        }

        var present = keys.Distinct(StringComparer.Ordinal).ToList();
        var leading = (first ?? []).Where(present.Contains).Distinct(StringComparer.Ordinal).ToList();
        return leading.Concat(present.Except(leading, StringComparer.Ordinal).OrderBy(Rank).ThenBy(key => key, StringComparer.Ordinal))
            .Take(Math.Max(count, leading.Count))
            .ToList();
    }

    /// <summary>The metric keys a search filter or order-by names (<c>metrics.acc</c>, <c>metrics.`my key`</c>).</summary>
    public static IReadOnlyList<string> Named(IEnumerable<string> expressions)
    {
        ArgumentNullException.ThrowIfNull(expressions);
        return expressions.SelectMany(e => MetricReference().Matches(e)).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["plain"].Value).ToList();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\bmetrics\.(?:`(?<quoted>[^`]+)`|""(?<quoted>[^""]+)""|(?<plain>[\w./\-]+))", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex MetricReference();

    private static (int Kind, int Quality, int Split) Rank(string key)
    {
        var lower = key.ToLowerInvariant();
        var quality = Array.FindIndex(Quality, name => lower.Contains(name, StringComparison.Ordinal));
        var bookkeeping = Bookkeeping.Any(word => lower.Contains(word, StringComparison.Ordinal));
        var split = lower.StartsWith("test", StringComparison.Ordinal) ? 0 : lower.StartsWith("val", StringComparison.Ordinal) ? 1 : 2;
        return (quality >= 0 ? 0 : bookkeeping ? 2 : 1, quality >= 0 ? quality : Quality.Length, split);
    }
}
