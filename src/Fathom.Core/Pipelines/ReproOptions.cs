namespace Fathom.Pipelines;

/// <summary>How <c>fathom repro</c> runs: <c>--force</c>, <c>--dry</c>, <c>--single-item</c>, <c>--jobs</c>.</summary>
internal sealed record ReproOptions
{
    /// <summary>Run the selected stages even when nothing changed (and without the run cache).</summary>
    public bool Force { get; init; }

    /// <summary>Only say what would run; change nothing.</summary>
    public bool Dry { get; init; }

    /// <summary>Only the named stages, not their upstream.</summary>
    public bool SingleItem { get; init; }

    /// <summary>Stages run at the same time when independent.</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>Report the output of stages that succeed too (a failure's tail is always reported).</summary>
    public bool ShowOutput { get; init; }

    /// <summary>
    /// <c>--allow-missing</c>: a stage whose only changes are outputs (or deps) missing from the workspace or the cache
    /// counts as unchanged, as DVC's <c>changed(allow_missing=True)</c>.
    /// </summary>
    public bool AllowMissing { get; init; }

    /// <summary>
    /// <c>--pull</c>: fetches objects from the default remote into the cache and returns those the remote lacks; a
    /// stage missing only data is pulled instead of run, and a stage that runs first gets its missing deps.
    /// </summary>
    public Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyList<string>>>? FetchObjects { get; init; }

    /// <summary>
    /// Full paths that stages of other <c>dvc.yaml</c> files output: a dep on one is not missing, even before (or,
    /// with <c>--dry</c> or <c>--allow-missing</c>, without) the stage that writes it running.
    /// </summary>
    public IReadOnlyList<string> OutputsOfOtherFiles { get; init; } = [];

    /// <summary>
    /// With <c>--dry</c>: stages (by their name in this file) with an upstream stage in another <c>dvc.yaml</c> that
    /// would run, so they would run after it too.
    /// </summary>
    public IReadOnlySet<string> UpstreamElsewhereWouldRun { get; init; } = new HashSet<string>();

    /// <summary>Variables added to each stage command's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
