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

    public static string TempNameFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
}
