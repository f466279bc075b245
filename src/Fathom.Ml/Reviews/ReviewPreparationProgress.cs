namespace Fathom.Reviews;

/// <summary>Data prep progress: files handled (written or skipped) out of the files found.</summary>
internal sealed record ReviewPreparationProgress(int Done, int Total);
