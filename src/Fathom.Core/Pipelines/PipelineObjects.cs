using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// The cache objects the pipelines of a repository recorded in their <c>dvc.lock</c> files: the hashes of the outs
/// whose <c>dvc.yaml</c> entry is cached (not <c>cache: false</c>). <c>dvc push</c>, <c>fetch</c>, <c>pull</c> and
/// <c>checkout</c> act on these along with the outputs of <c>.dvc</c> files.
/// </summary>
internal static class PipelineObjects
{
    /// <summary>
    /// Every cached out recorded in a <c>dvc.lock</c> (stages whose lock entry names it with a hash), as a tracked
    /// output whose file is the <c>dvc.lock</c>, with the stage that produces it. 2.x lock entries (no hash name) keep
    /// their objects in the old layouts, as <c>.dvc</c> files of 2.x do.
    /// </summary>
    public static IReadOnlyList<(string Stage, TrackedOutput Output)> Outputs(DvcRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var outputs = new List<(string, TrackedOutput)>();
        var files = PipelineFiles.Find(repository, repository.Root);
        if (files.Count == 0)
        {
            return outputs;
        }

        var set = PipelineSet.Load(repository, repository.Root, files);
        foreach (var project in set.Projects)
        {
            var lockPath = project.Pipeline.LockPath;
            if (!File.Exists(lockPath))
            {
                continue;
            }

            var lockFile = LockFileFormat.Load(lockPath, repository.Relative(lockPath), project.Pipeline.Stages, repository.Paths);
            foreach (var stage in project.Pipeline.Stages)
            {
                if (lockFile.Get(stage.Name) is not { } entry)
                {
                    continue;
                }

                foreach (var output in stage.Outs.Where(o => o.Cache))
                {
                    if (entry.Outs.FirstOrDefault(l => l.Path == output.Path) is { Md5: { Length: > 0 } md5 } locked)
                    {
                        var recorded = new DvcOutput(locked.Path, md5, locked.Size, locked.FileCount, false, locked.HashName) { Remote = output.Remote, Push = output.Push };
                        outputs.Add((stage.Name, new TrackedOutput(lockPath, new DvcFile([recorded]), 0, recorded, stage.FullPath(output.Path))));
                    }
                }
            }
        }

        return outputs;
    }
}
