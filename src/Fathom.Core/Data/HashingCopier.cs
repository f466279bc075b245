// DVC identifies content by MD5; the hash names data, it protects nothing, so the weak-crypto rule does not apply.
#pragma warning disable CA5351

namespace Fathom.Data;

/// <summary>
/// Saves a large file into the object cache while hashing it: the kernel copies the file into a new cache file
/// (copy_file_range, or a clone on reflink file systems) on one core while the other computes the MD5 from the page
/// cache, and the copy is named as its object once the hash is known. Hashing first and copying after costs the two one
/// after the other; this costs about the hash alone, which keeps <c>add</c> of a 1 GiB file near <c>md5sum</c>. On
/// Linux the copy is an unnamed file (O_TMPFILE) linked in at the end, as every other cache write, so a crash leaves
/// nothing behind; elsewhere a temporary name is renamed.
/// </summary>
internal static class HashingCopier
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static string HashAndSave(string source, ObjectCache cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        Directory.CreateDirectory(cache.ObjectsRoot);
        // In the objects folder (same file system, so linking or renaming it into a prefix folder is atomic) but
        // outside any two-letter prefix, so listing objects never sees a temporary name.
        var scratch = Path.Combine(cache.ObjectsRoot, $".{Path.GetFileName(source)}.{Guid.NewGuid():N}.tmp");
        return UnixFile.IsSupported ? HashAndLink(source, scratch, cache, cancellationToken) : HashAndRename(source, scratch, cache, cancellationToken);
    }

    private static string HashAndLink(string source, string scratch, ObjectCache cache, CancellationToken cancellationToken)
    {
        using var file = AtomicNewFile.Create(scratch, ReadOnly);
        var md5 = HashWhile(source, Task.Run(() => file.CopyIn(source), cancellationToken));
        var target = cache.PathOf(md5);
        if (!File.Exists(target))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            file.CommitAs(target, replace: false);
        }

        return md5;
    }

    private static string HashAndRename(string source, string temp, ObjectCache cache, CancellationToken cancellationToken)
    {
        try
        {
            var md5 = HashWhile(source, Task.Run(() => CopyReadOnly(source, temp), cancellationToken));
            var target = cache.PathOf(md5);
            if (!File.Exists(target))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                ObjectCache.Publish(temp, target);
            }

            return md5;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>The md5 of <paramref name="source"/>, computed while <paramref name="copy"/> runs; both must succeed.</summary>
    private static string HashWhile(string source, Task copy)
    {
        string md5;
        try
        {
            md5 = FileMd5.Hash(source);
        }
        finally
        {
            // Never leave the copy running against a file that the caller disposes or deletes next.
            ((IAsyncResult)copy).AsyncWaitHandle.WaitOne();
        }

        copy.GetAwaiter().GetResult();
        return md5;
    }

    private static void CopyReadOnly(string source, string temp)
    {
        File.Copy(source, temp);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, ReadOnly);
        }
    }
}
