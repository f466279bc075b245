using Fathom.Data;
using Fathom.Tracking;

namespace Fathom.Pipelines;

internal sealed partial class PipelineRunner
{
    private const int TailLines = 20;

    private async Task<StageResult> RunStageAsync(PipelineStage stage, bool upstreamWouldRun, StageContext context, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        if (stage.Frozen && !_options.Force)
        {
            Report(stage, ReproEventKind.Frozen, $"Stage '{stage.Name}' is frozen, skipping");
            return new StageResult(stage.Name, ReproEventKind.Frozen, [], null, TimeSpan.Zero);
        }

        var snapshot = StageSnapshot.Take(stage, context.Hasher, withOuts: true, cancellationToken);
        if (snapshot.MissingParams.Count > 0)
        {
            return Fail(stage, started, [], $"Parameters are missing: {string.Join(", ", snapshot.MissingParams)}; add them to the params file or fix 'params' of '{stage.Name}'.", null);
        }

        var reasons = _options.Force ? ["forced"] : StageChanges.Evaluate(snapshot, Locked(stage.Name), _repository.Cache);
        if (await MissingDataAsync(stage, reasons, upstreamWouldRun, context, cancellationToken) is { } settled)
        {
            return settled;
        }

        if (_options.Dry)
        {
            if (reasons.Count == 0 && !upstreamWouldRun)
            {
                Report(stage, ReproEventKind.UpToDate, $"Stage '{stage.Name}' didn't change, skipping");
                return new StageResult(stage.Name, ReproEventKind.UpToDate, [], null, TimeSpan.Zero);
            }

            var why = reasons.Count > 0 ? string.Join("; ", reasons) : "an upstream stage would run";
            Report(stage, ReproEventKind.WouldRun, $"Would run stage '{stage.Name}' ({why}):\n> {string.Join("\n> ", stage.Cmd)}");
            return new StageResult(stage.Name, ReproEventKind.WouldRun, reasons.Count > 0 ? reasons : [why], null, TimeSpan.Zero);
        }

        if (reasons.Count == 0)
        {
            Report(stage, ReproEventKind.UpToDate, $"Stage '{stage.Name}' didn't change, skipping");
            return new StageResult(stage.Name, ReproEventKind.UpToDate, [], null, _time.GetElapsedTime(started));
        }

        if (!_options.Force && RunCache.CanHash(stage) && snapshot.Deps.Values.All(h => h is not null)
            && Restorable(stage, snapshot, reasons, context.RunCache) is { } cached)
        {
            Report(stage, ReproEventKind.Restored, $"Stage '{stage.Name}' is cached - skipping run, checking out outputs");
            CheckoutOutputs(stage, cached, context.Linker);
            WriteLock(stage, cached);
            // DVC saves the stage after a restore too, which records the run if only dvc.lock knew it.
            if (RunCache.Records(stage))
            {
                context.RunCache.Save(cached);
            }

            return new StageResult(stage.Name, ReproEventKind.Restored, reasons, null, _time.GetElapsedTime(started));
        }

        return await ExecuteAsync(stage, reasons, context, started, cancellationToken);
    }

    private async Task<StageResult> ExecuteAsync(PipelineStage stage, List<string> reasons, StageContext context, long started, CancellationToken cancellationToken)
    {
        Report(stage, ReproEventKind.Running, $"Running stage '{stage.Name}':\n> {string.Join("\n> ", stage.Cmd)}");
        var run = _lineage is null ? null : await _lineage.StartAsync(stage, cancellationToken);
        var backups = BackUpOutputs(stage);
        string? error = null;
        LockEntry? entry = null;
        try
        {
            foreach (var command in stage.Cmd)
            {
                var (exitCode, output) = await ShellCommand.RunAsync(command, stage.Wdir, _options.Environment, cancellationToken);
                if (exitCode != 0)
                {
                    error = $"failed to reproduce '{stage.Name}': command '{command}' exited with code {exitCode}. Last lines of its output:\n{ShellCommand.Tail(output, TailLines)}";
                    break;
                }

                if (_options.ShowOutput && output.Length > 0)
                {
                    Report(stage, ReproEventKind.Output, output.TrimEnd('\n'));
                }
            }

            var missing = error is null ? stage.Outs.Where(o => !File.Exists(stage.FullPath(o.Path)) && !Directory.Exists(stage.FullPath(o.Path))).ToList() : [];
            if (missing.Count > 0)
            {
                error = $"failed to reproduce '{stage.Name}': the command succeeded but did not create its output(s) {string.Join(", ", missing.Select(o => $"'{o.Path}'"))}.";
            }

            if (error is null)
            {
                entry = Commit(stage, context, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DataException or FormatException)
        {
            error = $"failed to reproduce '{stage.Name}': {e.Message}";
        }
        catch (OperationCanceledException)
        {
            RestoreOutputs(stage, backups);
            if (run is not null)
            {
                await run.EndAsync(RunStatus.Killed, CancellationToken.None);
            }

            throw;
        }

        if (error is not null)
        {
            RestoreOutputs(stage, backups);
        }
        else
        {
            DropBackups(backups);
        }

        if (run is not null)
        {
            await StageLineage.EndAsync(run, entry, stage, error, CancellationToken.None);
        }

        if (error is not null)
        {
            return Fail(stage, started, reasons, error, run?.RunId);
        }

        WriteLock(stage, entry!);
        if (RunCache.Records(stage))
        {
            context.RunCache.Save(entry!);
        }

        Report(stage, ReproEventKind.Succeeded, $"Stage '{stage.Name}' finished in {_time.GetElapsedTime(started).TotalSeconds:0.0}s" + (run is null ? "" : $" (run {run.RunId})"));
        return new StageResult(stage.Name, ReproEventKind.Succeeded, reasons, null, _time.GetElapsedTime(started));
    }

    /// <summary>
    /// Hashes deps and outs after the command, stores cached outs in the cache, and makes the lock entry. When the run is
    /// recorded in the run cache, uncached outs go to the object cache as well (DVC's <c>StageCache.save</c> commits
    /// them), so the run can be restored whole; the workspace file stays a file of its own.
    /// </summary>
    private LockEntry Commit(PipelineStage stage, StageContext context, CancellationToken cancellationToken)
    {
        var snapshot = StageSnapshot.Take(stage, context.Hasher, withOuts: false, cancellationToken);
        var recorded = RunCache.Records(stage);
        foreach (var output in stage.Outs)
        {
            snapshot.Outs[output.Path] = snapshot.Hash(context.Hasher, output.Path, output.Cache || recorded ? _repository.Cache : null, cancellationToken);
        }

        return snapshot.ToLockEntry();
    }

    /// <summary>
    /// The run to restore instead of running, as DVC's <c>StageCache.restore</c> picks it: when the command, deps and
    /// params are as locked and <c>dvc.lock</c> records every out, that lock entry (only its outs changed: deleted, or
    /// edited); otherwise the newest recorded run for the current inputs. Null when its outs are not all in the cache.
    /// </summary>
    private LockEntry? Restorable(PipelineStage stage, StageSnapshot snapshot, List<string> reasons, RunCache runCache)
    {
        if (Locked(stage.Name) is { } locked && StageChanges.OnlyOuts(reasons))
        {
            var outs = stage.Outs.Select(o => o.Path).Order(StringComparer.Ordinal).Select(p => locked.Outs.FirstOrDefault(l => l.Path == p)).ToList();
            if (outs.All(o => o?.Md5 is not null))
            {
                var entry = locked with { Outs = outs! };
                return runCache.AllCached(entry) ? entry : null;
            }
        }

        return runCache.Find(snapshot.ToLockEntry());
    }

    private StageResult Fail(PipelineStage stage, long started, IReadOnlyList<string> reasons, string error, string? runId)
    {
        Report(stage, ReproEventKind.Failed, error + (runId is null ? "" : $"\n(tracked as FAILED run {runId})"));
        return new StageResult(stage.Name, ReproEventKind.Failed, reasons, error, _time.GetElapsedTime(started));
    }
}
