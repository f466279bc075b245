namespace Fathom.Tuning;

/// <summary>Runs one trial with its sampled params and says how it ended: the driver's port to a trial command (or, in the benchmark, to a function).</summary>
internal interface ITrialRunner
{
    Task<TrialResult> RunAsync(TrialContext context, CancellationToken cancellationToken);
}

/// <summary>
/// What a trial runs with: its number, the params sampled or fixed for it (external values), the overrides that give
/// them (task overrides first, then <c>key=value</c> per param), the tracking run it logs into, its folder, and two
/// callbacks — report an intermediate value (the answer is whether the pruner stops the trial), and read the metrics its
/// run logged.
/// </summary>
internal sealed record TrialContext(
    int Number,
    string StudyName,
    IReadOnlyList<KeyValuePair<string, object?>> Params,
    IReadOnlyList<string> Overrides,
    string? RunId,
    string? TrialDirectory,
    Func<int, double, CancellationToken, Task<bool>> ReportAsync,
    Func<CancellationToken, Task<IReadOnlyDictionary<string, double>?>> RunMetricsAsync);

/// <summary>How a trial ended: complete with one value per objective, pruned, or failed with its error; attributes to keep (where the values came from).</summary>
internal sealed record TrialResult(TrialState State, IReadOnlyList<double>? Values, string? Error, IReadOnlyDictionary<string, string> Attrs)
{
    private static readonly Dictionary<string, string> NoAttrs = [];

    public static TrialResult Complete(IReadOnlyList<double> values, IReadOnlyDictionary<string, string>? attrs = null) => new(TrialState.Complete, values, null, attrs ?? NoAttrs);

    public static TrialResult Pruned() => new(TrialState.Pruned, null, null, NoAttrs);

    public static TrialResult Failed(string error, IReadOnlyDictionary<string, string>? attrs = null) => new(TrialState.Failed, null, error, attrs ?? NoAttrs);
}
