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
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(Path.GetFullPath(folder));
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            var entries = new DirectoryInfo(dir).GetFileSystemInfos();
            var names = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                var isDir = entry is DirectoryInfo && !entry.Attributes.HasFlag(FileAttributes.ReparsePoint);
                if (repository.Ignore.IsIgnored(repository.Relative(entry.FullName), isDir))
                {
                    continue;
                }

                if (isDir)
                {
                    if (!names.Contains(entry.Name + ".dvc") && !Directory.Exists(Path.Combine(entry.FullName, ".dvc")))
                    {
                        pending.Push(entry.FullName);
                    }
                }
                else if (entry.Name == PipelineParser.FileName)
                {
                    found.Add(entry.FullName);
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
