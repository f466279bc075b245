namespace Fathom.Data;

/// <summary>Writes through a temporary name in the same folder, then renames, so readers never see half a file.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        var temp = TempNameFor(path);
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    // Unique per process (a random tag drawn once) and per call (a counter): a Guid per file would cost a read of
    // the system's random source for every one of thousands of small files.
    private static readonly string ProcessTag = Guid.NewGuid().ToString("N")[..12];
    private static long _counter;

    public static string TempNameFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Path.GetFileName(path)}.{ProcessTag}{Interlocked.Increment(ref _counter):x}.tmp");
}
