using System.Globalization;

namespace Fathom.Data;

/// <summary>
/// Writes through a temporary name in the same folder, then renames, so readers never see half a file. Temporary names
/// have one fixed shape, <c>.&lt;name&gt;.&lt;pid&gt;-&lt;tag&gt;.fathom.tmp</c> (the writer's process id, a random
/// tag per process and a counter), so that what a killed process leaves behind is recognised: data commands never
/// version such a file (the workspace walks skip it) and delete it once the process that wrote it is gone.
/// </summary>
internal static class AtomicFile
{
    /// <summary>How every temporary name ends.</summary>
    public const string TempSuffix = ".fathom.tmp";

    // At most this much of the final name goes into the temporary one: three bytes per char at worst, plus the rest of
    // the pattern, stays under the 255-byte limit of a file name.
    private const int NameChars = 64;

    // Unique per process (a random tag drawn once) and per call (a counter): a Guid per file would cost a read of
    // the system's random source for every one of thousands of small files.
    private static readonly string ProcessTag = $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..12]}";
    private static long _counter;

    public static void WriteAllText(string path, string text)
    {
        var temp = TempNameFor(path);
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    public static string TempNameFor(string path)
    {
        var name = Path.GetFileName(path);
        if (name.Length > NameChars)
        {
            name = name[..(char.IsHighSurrogate(name[NameChars - 1]) ? NameChars - 1 : NameChars)];
        }

        return Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{name}.{ProcessTag}{Interlocked.Increment(ref _counter):x}{TempSuffix}");
    }

    /// <summary>Whether a file name has the shape of a temporary name of ours.</summary>
    public static bool IsTemporary(ReadOnlySpan<char> name) =>
        name.Length > TempSuffix.Length + 1 && name[0] == '.' && name.EndsWith(TempSuffix, StringComparison.Ordinal) && Owner(name) > 0;

    /// <summary>
    /// Deletes the temporary files among <paramref name="paths"/> whose writer has exited (a crash or <c>kill -9</c>
    /// left them); a live writer's, this process's included, are its business. Best effort: one that cannot be deleted stays, and is still skipped.
    /// </summary>
    public static void RemoveLeftovers(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (var path in paths)
        {
            var owner = Owner(Path.GetFileName(path.AsSpan()));
            // Ours may be in flight on another thread (repro runs stages in parallel).
            if (owner <= 0 || owner == Environment.ProcessId || UnixFile.IsAlive(owner))
            {
                continue;
            }

            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for a later run; it is skipped meanwhile.
            }
        }
    }

    /// <summary>The process id in a temporary name (the digits before '-' in its last part but the suffix), else 0.</summary>
    private static int Owner(ReadOnlySpan<char> name)
    {
        var stem = name[..^TempSuffix.Length];
        var part = stem[(stem.LastIndexOf('.') + 1)..];
        var dash = part.IndexOf('-');
        return dash > 0 && int.TryParse(part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
    }
}
