namespace Fathom.Pipelines;

/// <summary>An output of a stage: a plain out, a metrics file or a plot, with DVC's <c>cache</c> and <c>persist</c> flags.</summary>
internal sealed record StageOutput(string Path, bool Cache, bool Persist, StageOutputKind Kind)
{
    /// <summary>For a <c>plots</c> output, how to draw it (paths relative to the stage's wdir).</summary>
    public PlotDefinition? Plot { get; init; }

    /// <summary>DVC's <c>remote:</c> flag: the remote this out's objects are pushed to and fetched from.</summary>
    public string? Remote { get; init; }

    /// <summary>DVC's <c>push:</c> flag (default true): false keeps the out out of push and <c>status -c</c>.</summary>
    public bool Push { get; init; } = true;

    /// <summary>The line of its path in <c>dvc.yaml</c>, for messages.</summary>
    public int Line { get; init; }
}
