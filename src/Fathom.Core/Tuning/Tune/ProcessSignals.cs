using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Fathom.Tuning;

/// <summary>
/// Stops a child process the way a supervisor does: SIGTERM first, so it can end its tracked run as KILLED and clean
/// up, then, after a grace period, a kill of its whole tree. Windows has no SIGTERM: the tree is killed at once.
/// </summary>
internal static partial class ProcessSignals
{
    private const int Sigterm = 15;

    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            if (process.HasExited)
            {
                return;
            }

            if (!OperatingSystem.IsWindows() && Kill(process.Id, Sigterm) == 0)
            {
                using var wait = new CancellationTokenSource(grace);
                try
                {
                    await process.WaitForExitAsync(wait.Token);
                    return;
                }
                catch (OperationCanceledException)
                {
                    // Still running after the grace period.
                }
            }

            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
