using Fathom.Data;

namespace Fathom.Pipelines;

internal sealed partial class PipelineRunner
{
    /// <summary>
    /// DVC deletes non-persistent outputs before running; we move them aside instead, so a failed stage can put the
    /// previous outputs back and leave the workspace as it was (its dvc.lock entry is not touched either).
    /// </summary>
    private static List<(string Full, string Backup)> BackUpOutputs(PipelineStage stage)
    {
        var backups = new List<(string, string)>();
        foreach (var output in stage.Outs.Where(o => !o.Persist))
        {
            var full = PipelineGraph.Normalize(stage.FullPath(output.Path));
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                continue;
            }

            var backup = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.fathom-previous");
            Delete(backup);
            if (Directory.Exists(full))
            {
                Directory.Move(full, backup);
            }
            else
            {
                File.Move(full, backup);
            }

            backups.Add((full, backup));
        }

        return backups;
    }

    private static void RestoreOutputs(PipelineStage stage, List<(string Full, string Backup)> backups)
    {
        // Whatever the failed command wrote in place of a previous output goes; new partial outputs go too.
        foreach (var output in stage.Outs.Where(o => !o.Persist))
        {
            Delete(PipelineGraph.Normalize(stage.FullPath(output.Path)));
        }

        foreach (var (full, backup) in backups)
        {
            if (Directory.Exists(backup))
            {
                Directory.Move(backup, full);
            }
            else if (File.Exists(backup))
            {
                File.Move(backup, full);
            }
        }
    }

    private static void DropBackups(List<(string Full, string Backup)> backups)
    {
        foreach (var (_, backup) in backups)
        {
            Delete(backup);
        }
    }

    private static void Delete(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Places a run-cache entry's outputs from the object cache (folders file by file from their manifest). An uncached
    /// out is tracked by git, so it gets a copy of its own, never a link into the read-only cache.
    /// </summary>
    private void CheckoutOutputs(PipelineStage stage, LockEntry entry, WorkspaceLinker linker)
    {
        WorkspaceLinker? copier = null;
        foreach (var output in entry.Outs)
        {
            var full = PipelineGraph.Normalize(stage.FullPath(output.Path));
            Delete(full);
            if (output.Md5 is not { } md5)
            {
                continue;
            }

            var uncached = stage.Outs.Any(o => o.Path == output.Path && !o.Cache);
            Place(full, md5, uncached ? copier ??= new WorkspaceLinker([LinkType.Copy]) : linker);
        }
    }
}
