using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// The cache objects the pipelines of a repository recorded in their <c>dvc.lock</c> files: the hashes of the outs
/// whose <c>dvc.yaml</c> entry is cached (not <c>cache: false</c>). <c>dvc push</c> and <c>dvc fetch</c> move these
/// along with the outputs of <c>.dvc</c> files.
/// </summary>
internal static class PipelineObjects
{
    /// <summary>The hashes (folders as their <c>.dir</c>) of every cached, locked out of every <c>dvc.yaml</c>.</summary>
    public static IReadOnlyList<string> Cached(DvcRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var set = PipelineSet.Load(repository, repository.Root, PipelineFiles.Find(repository, repository.Root));
        var objects = new List<string>();
        foreach (var project in set.Projects)
        {
            var lockPath = project.Pipeline.LockPath;
            if (!File.Exists(lockPath))
            {
                continue;
            }

            var lockFile = LockFileFormat.Load(lockPath, repository.Relative(lockPath));
            foreach (var stage in project.Pipeline.Stages)
            {
                if (lockFile.Get(stage.Name) is not { } entry)
                {
                    continue;
                }

                foreach (var output in stage.Outs.Where(o => o.Cache))
                {
                    // 2.x lock entries (no hash name) keep their objects in the old layout; they are left to DVC.
                    if (entry.Outs.FirstOrDefault(l => l.Path == output.Path) is { Md5: { } md5, HashName: "md5" })
                    {
                        objects.Add(md5);
                    }
                }
            }
        }

        return objects.Distinct(StringComparer.Ordinal).ToList();
    }
}
