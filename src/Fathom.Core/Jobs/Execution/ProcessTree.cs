using System.Diagnostics;

namespace Fathom.Jobs;

/// <summary>
/// Runs a process with its output read line by line (stdout and stderr both), and when the token is cancelled (stop,
/// Ctrl-C, timeout) kills it with every process it started, so no part of a job outlives its run.
/// </summary>
internal static class ProcessTree
{
    public static async Task<int> RunAsync(
        IReadOnlyList<string> argv, string? workingDirectory, IReadOnlyDictionary<string, string> environment, Action<string> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(output);
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var gate = new Lock();
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler forward = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    output(e.Data);
                }
            }
        };
        process.OutputDataReceived += forward;
        process.ErrorDataReceived += forward;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"cannot start '{argv[0]}': {e.Message}", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        return process.ExitCode;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the cancellation and the kill.
        }
    }
}
