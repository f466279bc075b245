namespace Fathom.Data;

/// <summary>The current content of an output in the workspace: its DVC hash, its files and, for a folder, its manifest.</summary>
internal sealed record OutputHash(ContentHash Hash, bool IsExecutable, IReadOnlyList<WorkspaceFile> Files, string? Manifest);
