namespace Fathom.Reviews;

/// <summary>What data prep did.</summary>
/// <param name="Read">Files read successfully.</param>
/// <param name="Written">Cleaned files written (equal to <paramref name="Read"/> unless a write failed).</param>
/// <param name="Skipped">Files not written, each with the reason (unreadable, misnamed, duplicate layout path, write failure).</param>
internal sealed record ReviewPreparationResult(int Read, int Written, IReadOnlyList<ReviewReadError> Skipped);
