using System.Diagnostics;

namespace Fathom.Diagnostics;

/// <summary>
/// Time marks for profiling the quick commands (<c>data status</c>, <c>repro</c>) as a real process: with
/// <c>FATHOM_TRACE_STARTUP=1</c>, the marks are printed to stderr when the process exits, each with the milliseconds
/// since the process started and since the previous mark. Off, a mark costs one static bool check, so marks can stay
/// in the hot path.
/// </summary>
internal static class StartupTrace
{
    /// <summary>The environment variable that turns the marks on.</summary>
    public const string Variable = "FATHOM_TRACE_STARTUP";

    private static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) is "1" or "true";
    private static readonly List<(string Label, long Timestamp)> Marks = [];

    /// <summary>Records <paramref name="label"/> with the current time, when enabled.</summary>
    public static void Mark(string label)
    {
        if (!Enabled)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        lock (Marks)
        {
            if (Marks.Count == 0)
            {
                // Printed at exit so that writing to the console (whose first use is itself costly) does not distort
                // the marks.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Print();
            }

            Marks.Add((label, now));
        }
    }

    private static void Print()
    {
        // The process's start time (10 ms resolution on Linux) anchors the first mark, so the runtime's own start-up
        // before Main shows up too; the rest comes from the precise stopwatch.
        var first = Marks[0].Timestamp;
        var beforeFirst = TimeProvider.System.GetUtcNow() - Stopwatch.GetElapsedTime(first) - Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var last = first;
        foreach (var (label, timestamp) in Marks)
        {
            var sinceStart = beforeFirst + Stopwatch.GetElapsedTime(first, timestamp);
            Console.Error.WriteLine($"[trace] {sinceStart.TotalMilliseconds,8:0.0} ms  (+{Stopwatch.GetElapsedTime(last, timestamp).TotalMilliseconds,6:0.0})  {label}");
            last = timestamp;
        }

        Console.Error.WriteLine($"[trace] {(beforeFirst + Stopwatch.GetElapsedTime(first)).TotalMilliseconds,8:0.0} ms  exit");
    }
}
