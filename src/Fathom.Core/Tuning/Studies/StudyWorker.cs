using System.Diagnostics;
using System.Globalization;

namespace Fathom.Tuning;

/// <summary>
/// Who runs a trial: <c>host:pid</c>, recorded on the trial with its heartbeat. A worker on the same host can tell at once
/// that another worker's process is gone (a crash, a kill -9), so a resumed study need not wait for the heartbeat to
/// go stale; across hosts only the heartbeat tells.
/// </summary>
internal static class StudyWorker
{
    /// <summary>This process's worker id.</summary>
    public static string Current { get; } = Id(Environment.MachineName, Environment.ProcessId);

    public static string Id(string host, int processId) => host + ":" + processId.ToString(CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="worker"/> ran on this host and its process no longer exists.</summary>
    public static bool IsDeadHere(string? worker)
    {
        var colon = worker?.LastIndexOf(':') ?? -1;
        if (worker is null || colon < 0)
        {
            return false;
        }

        if (!string.Equals(worker[..colon], Environment.MachineName, StringComparison.Ordinal)
            || !int.TryParse(worker.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        if (pid == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
