using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Fathom.Jobs;

/// <summary>
/// One attempt of a job started so that it outlives the server that started it: a session of its own (<c>setsid</c>),
/// its output appended to the run's log by the shell that wraps it, and its exit code written to a file of the run's
/// folder when it ends. The server can stop and start again and still learn how the attempt ended: the pid and the
/// process's start time (so a reused pid is not mistaken for it) are written beside the exit file. Linux only: it
/// reads <c>/proc</c> and signals the session's process group.
/// </summary>
internal sealed partial class DetachedJobProcess
{
    private const int Sigterm = 15;
    private const int Sigkill = 9;

    // $1 the log, $2 the exit file, the rest the job's argv. The shell's own descriptors go to the log before anything
    // runs, so nothing of the job keeps the server's stdout or stderr open; the exit file appears whole (rename).
    private const string Wrapper = """
        log=$1; done_file=$2; shift 2
        exec </dev/null >>"$log" 2>&1
        "$@"
        code=$?
        printf '%s\n' "$code" >"$done_file.tmp" && mv "$done_file.tmp" "$done_file"
        """;

    private readonly Process? _child;

    private DetachedJobProcess(int pid, long startTicks, string exitFile, Process? child)
    {
        Pid = pid;
        StartTicks = startTicks;
        ExitFile = exitFile;
        _child = child;
    }

    public int Pid { get; }

    /// <summary>The process's start time in clock ticks since boot (<c>/proc/PID/stat</c> field 22).</summary>
    public long StartTicks { get; }

    public string ExitFile { get; }

    /// <summary>The files of one attempt in a run folder: its pid file and its exit file.</summary>
    public static (string PidFile, string ExitFile) Files(string runFolder, int attempt) =>
        (Path.Combine(runFolder, $"attempt-{attempt.ToString(CultureInfo.InvariantCulture)}.pid"),
         Path.Combine(runFolder, $"attempt-{attempt.ToString(CultureInfo.InvariantCulture)}.exit"));

    /// <summary>Starts <paramref name="argv"/> in a new session, output appended to <paramref name="logFile"/>.</summary>
    public static DetachedJobProcess Start(
        IReadOnlyList<string> argv, string workingDirectory, IReadOnlyDictionary<string, string> environment, string logFile, string runFolder, int attempt)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(environment);
        var (pidFile, exitFile) = Files(runFolder, attempt);
        File.Delete(exitFile);
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["/bin/sh", "-c", Wrapper, "fathom-job", logFile, exitFile, .. argv])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        Process child;
        try
        {
            child = Process.Start(start) ?? throw new IOException("setsid did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"cannot start '{argv[0]}' (through setsid and /bin/sh): {e.Message}", e);
        }

        child.StandardInput.Close();
        var ticks = StartTime(child.Id) ?? 0;
        File.WriteAllText(pidFile, $"{child.Id.ToString(CultureInfo.InvariantCulture)} {ticks.ToString(CultureInfo.InvariantCulture)}\n");
        return new DetachedJobProcess(child.Id, ticks, exitFile, child);
    }

    /// <summary>
    /// The attempt as a server that did not start it finds it: from its pid file, if the process is still that one
    /// and alive; null when there is no pid file or the process is gone (then <see cref="ReadExitCode"/> may still say
    /// how it ended).
    /// </summary>
    public static DetachedJobProcess? Reattach(string runFolder, int attempt)
    {
        var (pidFile, exitFile) = Files(runFolder, attempt);
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var parts = File.ReadAllText(pidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
        {
            return null;
        }

        var process = new DetachedJobProcess(pid, ticks, exitFile, null);
        return process.IsAlive() ? process : null;
    }

    /// <summary>An attempt that has ended, known only by its exit file (found after a restart of the server).</summary>
    public static DetachedJobProcess Ended(string exitFile) => new(-1, 0, exitFile, null);

    /// <summary>The exit code the wrapper wrote, or null while the attempt runs (or when it was killed).</summary>
    public static int? ReadExitCode(string exitFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(exitFile).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code) ? code : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until the attempt ends: its exit code, or null when it ended without one (killed, or the wrapper died).
    /// A process this server started is waited on (and reaped); one found again is polled.
    /// </summary>
    public async Task<int?> WaitAsync(TimeSpan poll, CancellationToken cancellationToken)
    {
        if (_child is not null)
        {
            await _child.WaitForExitAsync(cancellationToken);
        }
        else
        {
            while (IsAlive() && ReadExitCode(ExitFile) is null)
            {
                await Task.Delay(poll, cancellationToken);
            }
        }

        return ReadExitCode(ExitFile);
    }

    /// <summary>Stops the whole process group: SIGTERM, then SIGKILL to what is left after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Pid <= 0)
        {
            // Ended: there is nothing to stop, and kill(0) would signal the server's own group.
            return;
        }

        _ = Kill(-Pid, Sigterm);
        var until = Stopwatch.StartNew();
        while (GroupAlive() && until.Elapsed < grace)
        {
            await Task.Delay(50);
        }

        _ = Kill(-Pid, Sigkill);
        if (_child is not null)
        {
            await _child.WaitForExitAsync();
        }
    }

    /// <summary>Whether the process is the one started (same start time) and not a zombie.</summary>
    public bool IsAlive()
    {
        if (Pid <= 0)
        {
            return false;
        }

        var stat = Stat(Pid);
        return stat is not null && stat.Value.State != 'Z' && stat.Value.StartTicks == StartTicks;
    }

    // Signal 0 to the group: whether any process of the session is left.
    private bool GroupAlive() => Kill(-Pid, 0) == 0 && IsAlive();

    private static long? StartTime(int pid) => Stat(pid)?.StartTicks;

    // /proc/PID/stat: "pid (comm) state ppid … starttime(22nd)…"; comm may hold spaces and parentheses, so fields are
    // counted after its last ')'.
    private static (char State, long StartTicks)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? (fields[0][0], ticks)
            : null;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
