using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// Finds the <c>dvc.yaml</c> files of a repository, as DVC's index collects them: every folder that is not ignored
/// (<c>.dvcignore</c>, <c>.git/</c>, <c>.dvc/</c>), not a folder tracked by a <c>.dvc</c> file and not a nested repository.
/// </summary>
internal static class PipelineFiles
{
    /// <summary>The full paths of the <c>dvc.yaml</c> files in <paramref name="folder"/> and below, sorted.</summary>
    public static IReadOnlyList<string> Find(DvcRepository repository, string folder)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return repository.FindPipelineFiles(folder);
    }
}
