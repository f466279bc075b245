namespace Fathom.Pipelines;

/// <summary>How one stage ended in a repro: its final event kind, why it ran, the error if it failed, and how long it took.</summary>
internal sealed record StageResult(string Stage, ReproEventKind Outcome, IReadOnlyList<string> Reasons, string? Error, TimeSpan Duration);
