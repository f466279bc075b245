using System.Runtime.InteropServices;

namespace Fathom.Tuning;

/// <summary>
/// A queue of a SQLite database's writers across processes: an exclusive <c>flock</c> on a file beside the database,
/// held for each write transaction. Writers that wait sleep in the kernel and the next is woken as soon as the lock is
/// released, where SQLite's own busy handler polls with growing sleeps (1, 2, 5 … 100 ms), so under many workers most
/// of a write's time went to oversleeping. SQLite's lock still guards the data: this only orders its writers. Only on
/// Linux and macOS; elsewhere writers fall back to SQLite's busy timeout.
/// </summary>
internal sealed partial class WriterQueue : IDisposable
{
    private const int LockExclusive = 2;
    private const int Unlock = 8;
    private const int Interrupted = 4;

    private readonly int _descriptor;

    private WriterQueue(int descriptor) => _descriptor = descriptor;

    /// <summary>The queue of the database at <paramref name="databasePath"/>, or null where there is no <c>flock</c>.</summary>
    public static WriterQueue? For(string databasePath)
    {
        ArgumentNullException.ThrowIfNull(databasePath);
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        // O_RDWR | O_CREAT | O_CLOEXEC: trial processes started later must not inherit the descriptor (and with it the lock).
        var flags = OperatingSystem.IsLinux() ? 0x2 | 0x40 | 0x80000 : 0x2 | 0x200 | 0x1000000;
        var descriptor = Open(databasePath + "-writers.lock", flags, Convert.ToInt32("644", 8));
        return descriptor < 0 ? null : new WriterQueue(descriptor);
    }

    /// <summary>Waits for the lock (blocking this thread: the store lets one of its threads wait at a time).</summary>
    public void Enter()
    {
        while (Flock(_descriptor, LockExclusive) != 0)
        {
            if (Marshal.GetLastPInvokeError() != Interrupted)
            {
                throw new IOException($"Could not lock the study writers' queue (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
    }

    public void Exit() => _ = Flock(_descriptor, Unlock);

    public void Dispose() => _ = Close(_descriptor);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int descriptor, int operation);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
