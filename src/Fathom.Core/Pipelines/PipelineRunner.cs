using Fathom.Data;
using Fathom.Diagnostics;

namespace Fathom.Pipelines;

/// <summary>
/// <c>fathom repro</c>: runs the changed stages of a pipeline in dependency order, independent stages in parallel up
/// to <see cref="ReproOptions.Jobs"/>. A stage is checked when every stage it depends on has finished (so it sees
/// their new outputs); a failed stage blocks its downstream while unrelated stages go on.
/// </summary>
internal sealed partial class PipelineRunner
{
    private readonly DvcRepository _repository;
    private readonly Pipeline _pipeline;
    private readonly PipelineGraph _graph;
    private readonly ReproOptions _options;
    private readonly StageLineage? _lineage;
    private readonly Action<ReproEvent> _report;
    private readonly TimeProvider _time;
    private readonly Lock _lockGate = new();
    private readonly Lock _reportGate = new();
    private readonly string _lockDisplayName;
    private LockFile _lock = new();
    private bool _lockExisted;

    public PipelineRunner(DvcRepository repository, Pipeline pipeline, PipelineGraph graph, ReproOptions options, StageLineage? lineage, Action<ReproEvent> report, TimeProvider time)
    {
        _repository = repository;
        _pipeline = pipeline;
        _graph = graph;
        _options = options;
        _lineage = lineage;
        _report = report;
        _time = time;
        _lockDisplayName = repository.Relative(pipeline.LockPath);
    }

    public async Task<IReadOnlyList<StageResult>> ReproAsync(IReadOnlyList<string> targets, CancellationToken cancellationToken)
    {
        var selected = _graph.Select(targets, _options.SingleItem);
        foreach (var (stage, dep) in _graph.MissingDependencies(selected).Where(m => !ProducedElsewhere(m.Stage, m.Dep)))
        {
            throw new DataException(DataErrorKind.NotFound, $"stage '{stage.Name}': dependency '{dep}' does not exist and no stage in {_repository.Relative(_pipeline.FilePath)} outputs it; create it or fix the 'deps' of '{stage.Name}'.");
        }

        _lockExisted = File.Exists(_pipeline.LockPath);
        _lock = LockFileFormat.Load(_pipeline.LockPath, _lockDisplayName, _pipeline.Stages, _repository.Paths);
        StartupTrace.Mark("dvc.lock read");
        using var stat = _repository.OpenStatCache();
        var hasher = new WorkspaceHasher(_repository.Root, _repository.Ignore, stat, Environment.ProcessorCount);
        var context = new StageContext(hasher, new RunCache(_repository.Cache), _repository.Linker());
        using var slots = new SemaphoreSlim(Math.Max(1, _options.Jobs));
        var tasks = new Dictionary<string, Task<StageResult>>(StringComparer.Ordinal);
        var selectedNames = selected.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var stage in selected)
        {
            var upstream = _graph.Upstream(stage.Name).Where(selectedNames.Contains).Select(n => tasks[n]).ToList();
            tasks[stage.Name] = ScheduleAsync(stage, upstream, slots, context, cancellationToken);
        }

        var results = await Task.WhenAll(tasks.Values);
        StartupTrace.Mark("stages checked");
        if (!_options.Dry)
        {
            stat.Flush();
        }

        return results;
    }

    private async Task<StageResult> ScheduleAsync(PipelineStage stage, List<Task<StageResult>> upstream, SemaphoreSlim slots, StageContext context, CancellationToken cancellationToken)
    {
        var before = await Task.WhenAll(upstream);
        if (before.FirstOrDefault(r => r.Outcome is ReproEventKind.Failed or ReproEventKind.Blocked) is { } failed)
        {
            var message = $"Stage '{stage.Name}' not run: it depends on '{failed.Stage}', which {(failed.Outcome == ReproEventKind.Failed ? "failed" : "did not run")}.";
            Report(stage, ReproEventKind.Blocked, message);
            return new StageResult(stage.Name, ReproEventKind.Blocked, [], message, TimeSpan.Zero);
        }

        var upstreamWouldRun = before.Any(r => r.Outcome == ReproEventKind.WouldRun) || _options.UpstreamElsewhereWouldRun.Contains(stage.Name);
        await slots.WaitAsync(cancellationToken);
        try
        {
            // Hashing and running are blocking work: keep them off the scheduling continuations.
            return await Task.Run(() => RunStageAsync(stage, upstreamWouldRun, context, cancellationToken), cancellationToken);
        }
        finally
        {
            slots.Release();
        }
    }

    private void Report(PipelineStage stage, ReproEventKind kind, string text)
    {
        lock (_reportGate)
        {
            _report(new ReproEvent(stage.Name, kind, text));
        }
    }

    private void WriteLock(PipelineStage stage, LockEntry entry)
    {
        lock (_lockGate)
        {
            if (!_repository.NoScm)
            {
                foreach (var output in stage.Outs.Where(o => o.Cache))
                {
                    OutputGitignore.Add(_repository.Root, stage.FullPath(output.Path));
                }
            }

            if (_lock.Get(stage.Name) is { } old && LockFileFormat.FormatEntry(old) == LockFileFormat.FormatEntry(entry) && _lockExisted)
            {
                return;
            }

            _lock.Set(stage.Name, entry);
            LockFileFormat.Save(_pipeline.LockPath, _lock);
            Report(stage, ReproEventKind.LockWritten, _lockExisted ? $"Updating lock file '{_lockDisplayName}'" : $"Generating lock file '{_lockDisplayName}'");
            _lockExisted = true;
        }
    }

    private LockEntry? Locked(string stage)
    {
        lock (_lockGate)
        {
            return _lock.Get(stage);
        }
    }

    private sealed record StageContext(WorkspaceHasher Hasher, RunCache RunCache, WorkspaceLinker Linker);
}
