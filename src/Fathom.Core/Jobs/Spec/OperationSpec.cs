using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// A Polyaxon operation (<c>kind: operation</c>, or an entry of a DAG's <c>operations</c>): which component to run
/// (<see cref="PathRef"/>, <see cref="HubRef"/>, <see cref="UrlRef"/>, <see cref="DagRef"/> or an inline
/// <see cref="Component"/>), the params it passes, what it overrides, and in a DAG when it runs.
/// </summary>
internal sealed record OperationSpec(
    string? Name,
    string? Description,
    IReadOnlyList<string>? Tags,
    IReadOnlyDictionary<string, OperationParam> Params,
    string? PathRef,
    string? HubRef,
    string? UrlRef,
    string? DagRef,
    ComponentSpec? Component,
    ConfigMap? RunPatch,
    ConfigNode? TerminationNode,
    IReadOnlyList<string> Dependencies,
    DagTrigger Trigger,
    string? Conditions,
    bool SkipOnUpstreamSkip,
    string File,
    SourcePosition Source)
{
    /// <summary>The operation's <c>matrix</c>: run it as a search, one run per trial, instead of once.</summary>
    public MatrixSpec? Matrix { get; init; }
}

/// <summary>One param of an operation (Polyaxon's V1Param), in its full form; the short form <c>lr: 0.1</c> is a value.</summary>
internal sealed record OperationParam(ConfigNode? Value, string? Ref, bool ContextOnly, string? ToEnv, string? Connection, SourcePosition Source);

/// <summary>
/// When a DAG operation runs, given its upstream's final statuses (Polyaxon's trigger policies). An operation whose
/// trigger cannot be met ends <c>upstream_failed</c> when an upstream failed, else <c>skipped</c>.
/// </summary>
internal enum DagTrigger
{
    AllSucceeded,
    AllFailed,
    AllDone,
    OneSucceeded,
    OneFailed,
    OneDone,
}
