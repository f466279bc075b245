using Fathom.Data;

namespace Fathom.Pipelines;

internal sealed partial class PipelineRunner
{
    /// <summary>
    /// <c>--allow-missing</c> and <c>--pull</c>, in DVC's order (<c>Stage.reproduce</c>): a stage whose only changes are
    /// missing data is skipped with <c>--allow-missing</c>, else pulled with <c>--pull</c> (falling back to running it
    /// when the remote lacks the data); a stage that must run first gets its missing deps from the remote.
    /// Returns the stage's result when it is settled here, null when it goes on to run.
    /// </summary>
    private async Task<StageResult?> MissingDataAsync(PipelineStage stage, List<string> reasons, bool upstreamWouldRun, StageContext context, CancellationToken cancellationToken)
    {
        if (_options.Force || reasons.Count == 0 || (!_options.AllowMissing && _options.FetchObjects is null) || Locked(stage.Name) is not { } locked)
        {
            return null;
        }

        var onlyMissing = !upstreamWouldRun && reasons.All(MissingDataReasons(stage, locked).Contains);
        if (onlyMissing && _options.AllowMissing)
        {
            Report(stage, ReproEventKind.UpToDate, $"Stage '{stage.Name}' didn't change, skipping");
            return new StageResult(stage.Name, ReproEventKind.UpToDate, [], null, TimeSpan.Zero);
        }

        if (_options.FetchObjects is null || _options.Dry)
        {
            return null;
        }

        if (onlyMissing)
        {
            if (await PullOutputsAsync(stage, locked, context, cancellationToken))
            {
                Report(stage, ReproEventKind.Pulled, $"Stage '{stage.Name}' only missed data: pulled it from the remote, skipping run");
                return new StageResult(stage.Name, ReproEventKind.Pulled, reasons, null, TimeSpan.Zero);
            }

            Report(stage, ReproEventKind.Output, $"Unable to pull data for stage '{stage.Name}'; running it");
        }

        await PullMissingDepsAsync(stage, locked, context, cancellationToken);
        return null;
    }

    /// <summary>
    /// The reasons that only say data is missing: outs deleted or not in the cache, and deps deleted whose recorded
    /// hash is still what their producing stage recorded (else the upstream changed, and the dep really did).
    /// </summary>
    private HashSet<string> MissingDataReasons(PipelineStage stage, LockEntry locked)
    {
        var reasons = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dep in stage.Deps)
        {
            var recorded = locked.Deps.FirstOrDefault(d => d.Path == dep)?.Md5;
            var full = PipelineGraph.Normalize(stage.FullPath(dep));
            var upstreamChanged = _graph.Upstream(stage.Name).Any(name =>
                Locked(name) is { } entry && entry.Outs.Any(o => PipelineGraph.Normalize(_graph[name].FullPath(o.Path)) == full && o.Md5 != recorded));
            if (recorded is not null && !upstreamChanged)
            {
                reasons.Add($"changed deps: {dep} deleted");
            }
        }

        foreach (var output in stage.Outs)
        {
            reasons.Add($"changed outs: {output.Path} deleted");
            reasons.Add($"changed outs: {output.Path} not in cache");
        }

        return reasons;
    }

    private async Task<bool> PullOutputsAsync(PipelineStage stage, LockEntry locked, StageContext context, CancellationToken cancellationToken)
    {
        var outs = stage.Outs.Select(o => (Output: o, locked.Outs.FirstOrDefault(l => l.Path == o.Path)?.Md5, Full: PipelineGraph.Normalize(stage.FullPath(o.Path)))).ToList();
        // An uncached output cannot come from a remote: if it is gone, only running the stage brings it back.
        if (outs.Any(o => o.Md5 is null || (!o.Output.Cache && !Exists(o.Full))))
        {
            return false;
        }

        var wanted = outs.Where(o => o.Output.Cache).Select(o => o.Md5!).ToList();
        if (!await FetchAsync(stage, wanted, cancellationToken))
        {
            return false;
        }

        foreach (var (_, md5, full) in outs.Where(o => o.Output.Cache && !Exists(o.Full)))
        {
            Place(full, md5!, context.Linker);
        }

        return true;
    }

    // DVC pulls a missing dep through the .dvc file or stage that outputs it; the hash this stage recorded for it names the same data.
    private async Task PullMissingDepsAsync(PipelineStage stage, LockEntry locked, StageContext context, CancellationToken cancellationToken)
    {
        var missing = stage.Deps.Select(d => (Dep: d, locked.Deps.FirstOrDefault(l => l.Path == d)?.Md5, Full: PipelineGraph.Normalize(stage.FullPath(d))))
            .Where(d => d.Md5 is not null && !Exists(d.Full)).ToList();
        if (missing.Count == 0 || !await FetchAsync(stage, missing.Select(d => d.Md5!).ToList(), cancellationToken))
        {
            return;
        }

        foreach (var (dep, md5, full) in missing)
        {
            // A dependency may be anywhere when it is only read; written here, it must be where an out may be.
            if (_repository.Paths.Confine(dep, stage.Wdir).Refusal is { } refusal)
            {
                throw new DataException(DataErrorKind.InvalidInput, $"{_repository.Relative(_pipeline.FilePath)}: stage '{stage.Name}': dependency '{dep}' {refusal}; it is not pulled.");
            }

            Place(full, md5!, context.Linker);
            Report(stage, ReproEventKind.Output, $"Pulled missing dependency '{dep}' of stage '{stage.Name}'");
        }
    }

    private async Task<bool> FetchAsync(PipelineStage stage, List<string> objects, CancellationToken cancellationToken)
    {
        try
        {
            var lacking = await _options.FetchObjects!(objects, cancellationToken);
            return lacking.Count == 0 && objects.All(o => StageChanges.InCache(_repository.Cache, o));
        }
        catch (Exception e) when (e is DataException or IOException)
        {
            Report(stage, ReproEventKind.Output, $"Unable to pull data for stage '{stage.Name}': {e.Message}");
            return false;
        }
    }

    private void Place(string full, string md5, WorkspaceLinker linker)
    {
        var cache = _repository.Cache;
        if (md5.EndsWith(".dir", StringComparison.Ordinal))
        {
            var files = cache.ReadManifest(md5).Select(f => (Source: cache.PathOf(f.Md5), Destination: Path.Combine(full, f.RelativePath.Replace('/', Path.DirectorySeparatorChar)))).ToList();
            // Every folder checked before the first file is written: a link leading out stops the whole output.
            foreach (var (_, destination) in files)
            {
                if (_repository.Paths.LinkRefusal(destination, includeFinal: false) is { } refusal)
                {
                    throw new DataException(DataErrorKind.InvalidInput, $"'{_repository.Relative(destination)}' {refusal}; nothing was written there.");
                }
            }

            Directory.CreateDirectory(full);
            foreach (var (source, destination) in files)
            {
                linker.Place(source, destination, false);
            }
        }
        else
        {
            linker.Place(cache.PathOf(md5), full, false);
        }
    }

    private bool ProducedElsewhere(PipelineStage stage, string dep)
    {
        var full = PipelineGraph.Normalize(stage.FullPath(dep));
        return _options.OutputsOfOtherFiles.Any(o => PipelineGraph.Overlaps(o, full));
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);
}
