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

        if (!_options.Force && RunCache.Eligible(stage) && snapshot.Deps.Values.All(h => h is not null)
            && context.RunCache.Find(snapshot.ToLockEntry()) is { } cached)
        {
            Report(stage, ReproEventKind.Restored, $"Stage '{stage.Name}' is cached - skipping run, checking out outputs");
            CheckoutOutputs(stage, cached, context.Linker);
            WriteLock(stage, cached);
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
        if (RunCache.Eligible(stage))
        {
            context.RunCache.Save(entry!);
        }

        Report(stage, ReproEventKind.Succeeded, $"Stage '{stage.Name}' finished in {_time.GetElapsedTime(started).TotalSeconds:0.0}s" + (run is null ? "" : $" (run {run.RunId})"));
        return new StageResult(stage.Name, ReproEventKind.Succeeded, reasons, null, _time.GetElapsedTime(started));
    }

    /// <summary>Hashes deps and outs after the command, stores cached outs in the cache, and makes the lock entry.</summary>
    private LockEntry Commit(PipelineStage stage, StageContext context, CancellationToken cancellationToken)
    {
        var snapshot = StageSnapshot.Take(stage, context.Hasher, withOuts: false, cancellationToken);
        foreach (var output in stage.Outs)
        {
            snapshot.Outs[output.Path] = snapshot.Hash(context.Hasher, output.Path, output.Cache ? _repository.Cache : null, cancellationToken);
        }

        return snapshot.ToLockEntry();
    }

    private StageResult Fail(PipelineStage stage, long started, IReadOnlyList<string> reasons, string error, string? runId)
    {
        Report(stage, ReproEventKind.Failed, error + (runId is null ? "" : $"\n(tracked as FAILED run {runId})"));
        return new StageResult(stage.Name, ReproEventKind.Failed, reasons, error, _time.GetElapsedTime(started));
    }
}
