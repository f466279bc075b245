using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Fathom.Tuning;

/// <summary>
/// Runs a trial as a command line (<c>fathom tune … -- COMMAND ARGS…</c>): the command with the trial's overrides appended
/// as <c>key=value</c> arguments, in the launch folder, with the tracking store and the trial's run in its environment
/// (<c>FATHOM_TRACKING_URI</c>, <c>MLFLOW_RUN_ID</c>, …) and <c>FATHOM_METRICS_FILE</c> naming where it may write its
/// metrics. Its stdout is read as it comes (<see cref="TrialOutput"/>): an intermediate value goes to the pruner at once,
/// and a pruned trial is stopped (SIGTERM, then a kill after a grace period). Output is kept in the trial's folder
/// (<c>stdout.log</c>, <c>stderr.log</c>); a trial that exits non-zero fails with the end of its stderr.
/// </summary>
internal sealed class CommandTrialRunner : ITrialRunner
{
    /// <summary>The environment variable naming the file a trial may write its metrics to (JSON or YAML).</summary>
    public const string MetricsFileVariable = "FATHOM_METRICS_FILE";

    private const int StderrLinesKept = 20;

    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyList<string> _command;
    private readonly IReadOnlyList<string> _objectives;
    private readonly int _directions;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _workingDirectory;
    private readonly TimeSpan _stopGrace;

    /// <param name="command">The program and its first arguments; the trial's overrides follow them.</param>
    /// <param name="objectives">The objective metric names (empty: the last stdout line is the return value).</param>
    /// <param name="directions">How many objectives the study has.</param>
    /// <param name="environment">Variables every trial gets (the tracking store, the launch's tag).</param>
    /// <param name="workingDirectory">The folder trials run in (the launch's).</param>
    /// <param name="stopGrace">How long a pruned or cancelled trial has to exit after SIGTERM.</param>
    public CommandTrialRunner(
        IReadOnlyList<string> command, IReadOnlyList<string> objectives, int directions, IReadOnlyDictionary<string, string> environment, string workingDirectory, TimeSpan stopGrace)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(workingDirectory);
        if (command.Count == 0)
        {
            throw new ArgumentException("A trial command needs a program.", nameof(command));
        }

        _command = command;
        _objectives = objectives;
        _directions = directions;
        _environment = environment;
        _workingDirectory = workingDirectory;
        _stopGrace = stopGrace;
    }

    /// <summary>Overrides a trial gets after its own (e.g. where <c>fathom train</c> writes its job folder).</summary>
    public Func<TrialContext, IReadOnlyList<string>>? ExtraOverrides { get; init; }

    /// <summary>
    /// The arguments that give a trial its values, instead of its <c>key=value</c> overrides (a matrix of a job file
    /// passes them as <c>-P NAME=value</c>).
    /// </summary>
    public Func<TrialContext, IReadOnlyList<string>>? TrialArguments { get; init; }

    /// <summary>
    /// The value of a trial that succeeds without giving one, or null (such a trial fails). A search with no metric
    /// (Polyaxon's grid and random matrices may have none) runs its combinations; success is all it records.
    /// </summary>
    public double? ValueWithoutObjective { get; init; }

    /// <summary>The command line a trial runs, for messages and the run's tag.</summary>
    public string Describe(IEnumerable<string> overrides) => string.Join(' ', _command.Concat(overrides).Select(Quote));

    public async Task<TrialResult> RunAsync(TrialContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var folder = context.TrialDirectory ?? Path.Combine(Path.GetTempPath(), "fathom-trials", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var metricsFile = Path.Combine(folder, "metrics.json");
        File.Delete(metricsFile);

        var start = new ProcessStartInfo(_command[0])
        {
            WorkingDirectory = _workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var extra = ExtraOverrides?.Invoke(context with { TrialDirectory = folder }) ?? [];
        var trialValues = TrialArguments?.Invoke(context) ?? context.Overrides;
        foreach (var argument in _command.Skip(1).Concat(trialValues).Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        if (context.RunId is not null)
        {
            start.Environment["MLFLOW_RUN_ID"] = context.RunId;
        }

        start.Environment["FATHOM_TRIAL_NUMBER"] = context.Number.ToString(CultureInfo.InvariantCulture);
        start.Environment["FATHOM_STUDY_NAME"] = context.StudyName;
        start.Environment["FATHOM_TRIAL_DIR"] = folder;
        start.Environment[MetricsFileVariable] = metricsFile;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"'{_command[0]}' did not start.");
        }
        catch (Win32Exception e)
        {
            return TrialResult.Failed($"cannot start '{_command[0]}': {e.Message}");
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = new TrialOutput(_objectives.Count > 0 ? _objectives[0] : null);
            var pruned = false;
            var stderrTail = new Queue<string>();
            await using var stdoutLog = new StreamWriter(Path.Combine(folder, "stdout.log"));
            await using var stderrLog = new StreamWriter(Path.Combine(folder, "stderr.log"));

            async Task PumpStdoutAsync()
            {
                while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
                {
                    await stdoutLog.WriteLineAsync(line);
                    if (output.Read(line) is { } report && !pruned && !cancellationToken.IsCancellationRequested)
                    {
                        bool prune;
                        try
                        {
                            prune = await context.ReportAsync(report.Step, report.Value, cancellationToken);
                        }
                        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                        {
                            continue;
                        }

                        if (prune)
                        {
                            pruned = true;
                            _ = ProcessSignals.StopAsync(process, _stopGrace);
                        }
                    }
                }
            }

            async Task PumpStderrAsync()
            {
                while (await process.StandardError.ReadLineAsync(CancellationToken.None) is { } line)
                {
                    await stderrLog.WriteLineAsync(line);
                    stderrTail.Enqueue(line);
                    if (stderrTail.Count > StderrLinesKept)
                    {
                        stderrTail.Dequeue();
                    }
                }
            }

            var pumps = Task.WhenAll(PumpStdoutAsync(), PumpStderrAsync());
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await ProcessSignals.StopAsync(process, _stopGrace);
                await Task.WhenAny(pumps, Task.Delay(OutputGrace, CancellationToken.None));
                throw;
            }

            // A process it left behind (a server started in the background) may hold the output open: it is not waited for.
            if (await Task.WhenAny(pumps, Task.Delay(OutputGrace, CancellationToken.None)) == pumps)
            {
                await pumps;
            }
            if (pruned)
            {
                return TrialResult.Pruned();
            }

            if (process.ExitCode != 0)
            {
                var tail = string.Join('\n', stderrTail.Where(l => l.Trim().Length > 0).TakeLast(6));
                return TrialResult.Failed($"exit code {process.ExitCode}" + (tail.Length > 0 ? ": " + tail : "") + $" (output in {folder})");
            }

            IReadOnlyDictionary<string, double>? runMetrics = null;
            IReadOnlyDictionary<string, double>? fileMetrics;
            if (_objectives.Count > 0 && context.RunId is not null)
            {
                runMetrics = await context.RunMetricsAsync(cancellationToken);
            }

            try
            {
                fileMetrics = TrialObjectives.ReadFile(metricsFile);
            }
            catch (InvalidDataException e)
            {
                return TrialResult.Failed(e.Message);
            }

            var found = TrialObjectives.Resolve(_objectives, _directions, runMetrics, fileMetrics, output);
            if (found.Values is null && _objectives.Count == 0 && ValueWithoutObjective is { } succeeded)
            {
                return TrialResult.Complete([succeeded], new Dictionary<string, string>(StringComparer.Ordinal) { ["objective_source"] = "exit status" });
            }

            var attrs = new Dictionary<string, string>(StringComparer.Ordinal) { ["objective_source"] = found.Source };
            return found.Values is { } values
                ? TrialResult.Complete(values, attrs)
                : TrialResult.Failed(found.Problem + $" (output in {folder})", attrs);
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@%".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
