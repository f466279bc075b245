using System.Diagnostics;
using System.Globalization;
using Fathom.Config;
using Fathom.Tracking;
using Fathom.Tuning;
using Spectre.Console;

namespace Fathom.Cli.Commands;

internal static partial class TuneCommand
{
    /// <summary>
    /// <c>--workers N</c>: N processes of <c>fathom tune --worker</c> on the same config, overrides, trial command, store,
    /// tag and trial folders, sharing the study through its database; this process only watches the study. Each worker's
    /// output goes to <c>worker-I.log</c> in the sweep folder. True when every worker exited 0.
    /// </summary>
    private static async Task<bool> RunWorkerProcessesAsync(CliContext cli, Launch launch, StudyStore studies, StudyInfo study, int count, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(launch.SweepDirectory);
        var workers = new List<(Process Process, Task Logging, string Log)>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var log = Path.Combine(launch.SweepDirectory, $"worker-{i.ToString(CultureInfo.InvariantCulture)}.log");
                var process = Process.Start(WorkerStart(cli, launch))!;
                process.StandardInput.Close();
                workers.Add((process, CopyOutputAsync(process, log), log));
            }

            await MonitorAsync(cli, studies, study, launch.Settings.NTrials, async () =>
            {
                try
                {
                    await Task.WhenAll(workers.Select(w => w.Process.WaitForExitAsync(cancellationToken)));
                }
                catch (OperationCanceledException)
                {
                    // Stopped: each worker hands its running trials back before it exits.
                    await Task.WhenAll(workers.Select(w => ProcessSignals.StopAsync(w.Process, TimeSpan.FromSeconds(30))));
                    throw;
                }
            }, cancellationToken);
            await Task.WhenAll(workers.Select(w => w.Logging));
            var ok = true;
            for (var i = 0; i < workers.Count; i++)
            {
                var (process, _, log) = workers[i];
                if (process.ExitCode != 0)
                {
                    ok = false;
                    var tail = File.ReadLines(log).Where(l => l.Trim().Length > 0).TakeLast(3);
                    cli.Error.WriteLine($"worker {i} exited {process.ExitCode} (log: {log}): {string.Join(" / ", tail)}");
                }
            }

            return ok;
        }
        finally
        {
            foreach (var (process, _, _) in workers)
            {
                process.Dispose();
            }
        }
    }

    private static ProcessStartInfo WorkerStart(CliContext cli, Launch launch)
    {
        var program = FathomExecutable();
        var start = new ProcessStartInfo(program[0])
        {
            WorkingDirectory = launch.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var arguments = program.Skip(1).Concat(
        [
            "tune", "--worker", "--tag", launch.Tag, "--experiment", launch.ExperimentName,
            "--config-dir", launch.Composed.ConfigDirectory, "--config-name", launch.Composed.ConfigName,
            .. launch.Overrides,
            "hydra.sweep.dir=" + SweepValues.Escape(launch.SweepDirectory),
        ]);
        if (launch.TrialCommand.Count > 0)
        {
            arguments = arguments.Append("--").Concat(launch.TrialCommand);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The store travels in the environment, not on the command line, where ps would show a password.
        start.Environment[StoreLocation.TrackingUriVariable] = cli.Location.Uri;
        return start;
    }

    private static async Task CopyOutputAsync(Process process, string log)
    {
        await using var writer = new StreamWriter(log) { AutoFlush = true };
        var gate = new SemaphoreSlim(1, 1);
        async Task PumpAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                await gate.WaitAsync();
                try
                {
                    await writer.WriteLineAsync(line);
                }
                finally
                {
                    gate.Release();
                }
            }
        }

        await Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
        gate.Dispose();
    }
}
