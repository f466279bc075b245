namespace Fathom.Pipelines;

/// <summary>Something repro reports as it goes, for the CLI to show (in the order it happens).</summary>
internal sealed record ReproEvent(string Stage, ReproEventKind Kind, string Text);
