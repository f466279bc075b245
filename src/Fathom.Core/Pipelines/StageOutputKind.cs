namespace Fathom.Pipelines;

/// <summary>Which list of a stage an output came from (all three are outputs in <c>dvc.lock</c>).</summary>
internal enum StageOutputKind
{
    /// <summary>Listed under <c>outs</c>.</summary>
    Out,

    /// <summary>Listed under <c>metrics</c>: read by <c>fathom metrics show|diff</c> and logged as run metrics.</summary>
    Metric,

    /// <summary>Listed under <c>plots</c>.</summary>
    Plot,
}
