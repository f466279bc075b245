using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Fathom.Bench;

/// <summary>
/// The calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), so a cost measured on a loaded, shared
/// machine counts the work done rather than the time spent waiting for a core; wall time elsewhere.
/// </summary>
internal static class TuningCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static double NowMs()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0)
        {
            return ts.Seconds * 1e3 + ts.Nanoseconds / 1e6;
        }
        return Stopwatch.GetTimestamp() * 1e3 / Stopwatch.Frequency;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // DllImport, not LibraryImport: a blittable out struct needs no marshalling code, and the bench allows no unsafe code.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clockId, out TimeSpec time);
#pragma warning restore SYSLIB1054
}
