using Fathom.Data;

namespace Fathom.Pipelines;

internal sealed partial class PipelineSet
{
    /// <summary>
    /// <c>dvc status</c> for pipeline stages: each changed stage's address with its status entries
    /// (<see cref="StageStatus"/>), in dependency order; up-to-date stages are left out.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, List<object>>> Status(IReadOnlyList<PipelineStage> stages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var result = new List<KeyValuePair<string, List<object>>>();
        if (stages.Count == 0)
        {
            return result;
        }

        using var stat = Repository.OpenStatCache();
        var hasher = new WorkspaceHasher(Repository.Root, Repository.Ignore, stat, Environment.ProcessorCount);
        var locks = new Dictionary<PipelineProject, LockFile>();
        foreach (var stage in stages)
        {
            var (project, own) = Locate(stage.Name);
            if (!locks.TryGetValue(project, out var lockFile))
            {
                locks[project] = lockFile = LockFileFormat.Load(project.Pipeline.LockPath, Repository.Relative(project.Pipeline.LockPath), project.Pipeline.Stages, Repository.Paths);
            }

            var entries = StageStatus.Evaluate(own, lockFile.Get(own.Name), hasher, Repository.Cache, Relative, cancellationToken);
            if (entries.Count > 0)
            {
                result.Add(new(stage.Name, entries));
            }
        }

        return result;
    }
}
