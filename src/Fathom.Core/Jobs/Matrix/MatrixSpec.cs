using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// An operation's <c>matrix</c> section (Polyaxon's hyperparameter tuning): the kind of search, the generator of each
/// param, how many runs and how many at once, and the metric a model-based search optimises. Fathom runs it as a tuning
/// study (<see cref="MatrixStudyPlan"/>): each trial is a run of the operation with the trial's values as params.
/// </summary>
internal sealed record MatrixSpec(
    string Kind,
    IReadOnlyList<MatrixParam> Params,
    int? NumRuns,
    int Concurrency,
    long? Seed,
    MatrixMetric? Metric,
    int? MaxIterations,
    int? NumInitialRuns,
    int Eta,
    string? Resource,
    string? Algorithm,
    SourcePosition Source);

/// <summary>One param's generator (<c>params.NAME: {kind, value}</c>) with its numbers as written.</summary>
internal sealed record MatrixParam(string Name, string Kind, IReadOnlyList<ConfigNode> Values, SourcePosition Source);

/// <summary>The metric a search optimises: its name as the job logs it, and whether larger is better.</summary>
internal sealed record MatrixMetric(string Name, bool Maximize);
