namespace Fathom.Pipelines;

/// <summary>An output of a stage: a plain out, a metrics file or a plot, with DVC's <c>cache</c> and <c>persist</c> flags.</summary>
internal sealed record StageOutput(string Path, bool Cache, bool Persist, StageOutputKind Kind)
{
    /// <summary>For a <c>plots</c> output, how to draw it (paths relative to the stage's wdir).</summary>
    public PlotDefinition? Plot { get; init; }
}
