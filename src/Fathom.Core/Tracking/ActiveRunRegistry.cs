using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Fathom.Tracking;

/// <summary>
/// The runs this process has open, so none is left RUNNING: an unhandled exception marks them FAILED, and
/// SIGTERM or Ctrl+C marks them KILLED, before the process goes.
/// </summary>
internal static class ActiveRunRegistry
{
    private static readonly ConcurrentDictionary<ActiveRun, byte> Runs = new();
    private static readonly Lock HooksLock = new();
    private static bool _hooked;
    private static PosixSignalRegistration? _sigterm;
    private static PosixSignalRegistration? _sigint;

    public static void Add(ActiveRun run)
    {
        Runs.TryAdd(run, 0);
        EnsureHooks();
    }

    public static void Remove(ActiveRun run) => Runs.TryRemove(run, out _);

    public static async Task EndAllAsync(TrackingClient client)
    {
        foreach (var run in Runs.Keys.Where(r => r.Client == client))
        {
            await run.DisposeAsync();
        }
    }

    private static void EnsureHooks()
    {
        lock (HooksLock)
        {
            if (_hooked)
            {
                return;
            }

            _hooked = true;
            AppDomain.CurrentDomain.UnhandledException += (_, e) =>
                EndAll(run => run.FailAsync(e.ExceptionObject as Exception ?? new InvalidOperationException("Unhandled error")));
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => EndAll(run => run.EndAsync(RunStatus.Killed)));
            _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => EndAll(run => run.EndAsync(RunStatus.Killed)));
        }
    }

    // Runs on the way out of the process, where there is no caller left to await: block, bounded in time.
    private static void EndAll(Func<ActiveRun, Task> end)
    {
        var pending = Runs.Keys.Select(run => end(run).ContinueWith(static _ => { }, TaskScheduler.Default)).ToArray();
        Task.WaitAll(pending, TimeSpan.FromSeconds(5));
    }
}
