using System.Diagnostics;

namespace Fathom.Server.Tests.Conformance;

/// <summary>Runs node or npm to completion and fails with its stderr when it exits non-zero.</summary>
internal static class NodeProcess
{
    public static async Task<string> RunAsync(string file, string directory, TimeSpan timeout, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
