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

    /// <summary>Variables added to each stage command's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
