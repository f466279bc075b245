// DVC identifies content by MD5; the hash names data, it protects nothing, so the weak-crypto rule does not apply.
#pragma warning disable CA5351

namespace Fathom.Data;

/// <summary>
/// Saves a large file into the object cache while hashing it: the kernel copies the file to a temporary name in the
/// cache (copy_file_range, or a clone on reflink file systems) on one core while the other computes the MD5 from the
/// page cache, and the copy is then renamed to its object path. Hashing first and copying after costs the two one
/// after the other; this costs about the hash alone, which keeps <c>add</c> of a 1 GiB file near <c>md5sum</c>.
/// </summary>
internal static class HashingCopier
{
    public static string HashAndSave(string source, ObjectCache cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cache);
        Directory.CreateDirectory(cache.ObjectsRoot);
        // In the objects folder (same file system, so the rename is atomic) but outside any two-letter prefix, so
        // listing objects never sees it.
        var temp = Path.Combine(cache.ObjectsRoot, $".{Path.GetFileName(source)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var copy = Task.Run(() => CopyReadOnly(source, temp), cancellationToken);
            string md5;
            try
            {
                md5 = FileMd5.Hash(source);
            }
            finally
            {
                // Never leave the copy running against a temp file that the finally below deletes.
                ((IAsyncResult)copy).AsyncWaitHandle.WaitOne();
            }

            copy.GetAwaiter().GetResult();
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

    private static void CopyReadOnly(string source, string temp)
    {
        File.Copy(source, temp);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }
}
