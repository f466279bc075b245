using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Fathom.Tuning;

/// <summary>
/// Stops a child process the way a supervisor does: SIGTERM to it and to every process below it (a shell's <c>sleep</c>
/// or <c>python</c> would otherwise outlive the shell and hold its output open), so each can end its tracked run as
/// KILLED and clean up; after a grace period, SIGKILL to whatever is left. Windows has no SIGTERM: the tree is killed.
/// </summary>
internal static partial class ProcessSignals
{
    private const int Sigterm = 15;
    private const int Sigkill = 9;

    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            if (process.HasExited)
            {
                return;
            }

            if (OperatingSystem.IsWindows())
            {
                process.Kill(entireProcessTree: true);
                return;
            }

            // The tree is read before anything is signalled: once a parent exits, its children belong to init.
            var tree = Descendants(process.Id);
            _ = Kill(process.Id, Sigterm);
            foreach (var pid in tree)
            {
                _ = Kill(pid, Sigterm);
            }

            using (var wait = new CancellationTokenSource(grace))
            {
                try
                {
                    await process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            foreach (var pid in tree)
            {
                _ = Kill(pid, Sigkill);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    /// <summary>The processes below <paramref name="pid"/> (Linux: <c>/proc/PID/task/TID/children</c>), deepest last.</summary>
    private static List<int> Descendants(int pid)
    {
        var found = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.Count > 0 && found.Count < 10_000)
        {
            var parent = queue.Dequeue();
            string[] tasks;
            try
            {
                tasks = Directory.GetDirectories($"/proc/{parent.ToString(CultureInfo.InvariantCulture)}/task");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var task in tasks)
            {
                string children;
                try
                {
                    children = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        found.Add(id);
                        queue.Enqueue(id);
                    }
                }
            }
        }

        return found;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
