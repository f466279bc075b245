using System.Diagnostics;
using System.Text;

namespace Fathom.Pipelines;

/// <summary>
/// Runs a stage command with <c>/bin/sh -c</c> in the stage's wdir, as DVC does on POSIX, capturing stdout and stderr
/// together (the last <see cref="MaxKept"/> characters) so a failure can show the tail of what the command printed.
/// </summary>
internal static class ShellCommand
{
    private const int MaxKept = 256 * 1024;

    public static async Task<(int ExitCode, string Output)> RunAsync(string command, string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        var gate = new Lock();
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (gate)
            {
                output.Append(e.Data).Append('\n');
                if (output.Length > MaxKept * 2)
                {
                    output.Remove(0, output.Length - MaxKept);
                }
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        if (!Directory.Exists(workingDirectory))
        {
            return (127, $"working folder '{workingDirectory}' does not exist\n");
        }

        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        // WaitForExitAsync returns once the streams are drained, so the output is complete here.
        lock (gate)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of captured output.</summary>
    public static string Tail(string output, int lines)
    {
        var all = output.TrimEnd('\n').Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
