using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;

// DVC identifies content by MD5; the hash names data, it protects nothing.
#pragma warning disable CA5351

namespace Fathom.Data;

/// <summary>
/// Hashes outputs in the workspace as DVC 3.x does (file md5, folder <c>.dir</c> manifest), honouring
/// <c>.dvcignore</c>, reusing the stat cache for unchanged files, hashing the rest in parallel and, when asked,
/// storing the content in the object cache in the same pass (a small file is read once for both).
/// </summary>
internal sealed class WorkspaceHasher(string repositoryRoot, DvcIgnore ignore, StatCache stat, int jobs)
{
    /// <summary>Stat-cache keys of 2.x hashes live apart from 3.x ones: the two differ for text with CRLF.</summary>
    private const string LegacyKeyPrefix = "\0legacy/";

    public OutputHash Hash(string fullPath, ObjectCache? saveTo, IProgress<long>? progress, CancellationToken cancellationToken) =>
        Hash(fullPath, saveTo, progress, legacy: false, cancellationToken);

    /// <summary>
    /// Hashes a file or folder output; with <paramref name="legacy"/>, with DVC 2.x's hash (for checking entries recorded
    /// without <c>hash: md5</c>; nothing is saved to the cache then, since new objects are always 3.x).
    /// </summary>
    public OutputHash Hash(string fullPath, ObjectCache? saveTo, IProgress<long>? progress, bool legacy, CancellationToken cancellationToken)
    {
        if (legacy)
        {
            saveTo = null;
        }

        if (File.Exists(fullPath))
        {
            var info = new FileInfo(fullPath);
            var file = new WorkspaceFile(fullPath, info.Name, StatKey(RepositoryPath(fullPath), legacy), info.Length, info.LastWriteTimeUtc.Ticks);
            HashAll([file], saveTo, progress, legacy, cancellationToken);
            var isExec = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(fullPath) & UnixFileMode.UserExecute) != 0;
            return new OutputHash(new ContentHash(file.Md5, file.Size, 1), isExec, [file], null);
        }

        if (!Directory.Exists(fullPath))
        {
            throw new DataException(DataErrorKind.NotFound, $"'{RepositoryPath(fullPath)}' does not exist.");
        }

        var files = ListFolder(fullPath, legacy);
        // Taken from the stats seen before hashing: a file changed meanwhile gets a new mtime, so the next look misses.
        var fingerprint = Fingerprint(files);
        HashAll(files, saveTo, progress, legacy, cancellationToken);
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        var manifest = DvcHash.DirectoryManifest(files.Select(f => (f.RelativePath, f.Md5)));
        var dirMd5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(manifest))) + ".dir";
        saveTo?.SaveManifest(dirMd5, manifest);
        stat.SetFolder(StatKey(RepositoryPath(fullPath), legacy), fingerprint, dirMd5);
        return new OutputHash(new ContentHash(dirMd5, files.Sum(f => f.Size), files.Count), false, files, manifest);
    }

    /// <summary>
    /// The folder's <c>.dir</c> hash when its listing (paths, sizes, mtimes) is exactly as when it was last hashed, from
    /// one directory walk and no file reads; null when anything differs (then hashing must do the work).
    /// </summary>
    public string? RememberedFolderHash(string fullPath, bool legacy = false)
    {
        if (!Directory.Exists(fullPath))
        {
            return null;
        }

        return stat.TryGetFolder(StatKey(RepositoryPath(fullPath), legacy), Fingerprint(ListFolder(fullPath, legacy)));
    }

    private static string StatKey(string repositoryPath, bool legacy) => legacy ? LegacyKeyPrefix + repositoryPath : repositoryPath;

    /// <summary>An MD5 over each file's path, size and mtime in listing order; any change to the listing changes it.</summary>
    private static string Fingerprint(List<WorkspaceFile> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = new byte[1 << 16];
        var used = 0;
        foreach (var file in files)
        {
            var needed = Encoding.UTF8.GetMaxByteCount(file.RelativePath.Length) + 17;
            if (used + needed > buffer.Length)
            {
                hash.AppendData(buffer, 0, used);
                used = 0;
                if (needed > buffer.Length)
                {
                    buffer = new byte[needed];
                }
            }

            used += Encoding.UTF8.GetBytes(file.RelativePath, buffer.AsSpan(used));
            buffer[used++] = 0;
            BitConverter.TryWriteBytes(buffer.AsSpan(used), file.Size);
            BitConverter.TryWriteBytes(buffer.AsSpan(used + 8), file.MtimeTicks);
            used += 16;
        }

        hash.AppendData(buffer, 0, used);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The files under a folder output, minus what <c>.dvcignore</c> hides; empty folders are not represented.</summary>
    public List<WorkspaceFile> ListFolder(string folder) => ListFolder(folder, legacy: false);

    private List<WorkspaceFile> ListFolder(string folder, bool legacy)
    {
        var rootRelative = RepositoryPath(folder);
        var prefix = rootRelative.Length == 0 ? "" : rootRelative + "/";
        var keyPrefix = StatKey(prefix, legacy);
        var namesOnly = ignore.MatchesNamesOnlyUnder(rootRelative);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        var enumerable = new FileSystemEnumerable<WorkspaceFile>(folder, (ref FileSystemEntry entry) =>
        {
            var relative = Path.Join(entry.Directory[folder.Length..].TrimStart(Path.DirectorySeparatorChar), entry.FileName).Replace(Path.DirectorySeparatorChar, '/');
            return new WorkspaceFile(entry.ToFullPath(), relative, keyPrefix + relative, entry.Length, entry.LastWriteTimeUtc.UtcTicks);
        }, options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) =>
            {
                if (entry.IsDirectory)
                {
                    return false;
                }

                if (entry.FileName.SequenceEqual(DvcIgnore.FileName))
                {
                    throw new DataException(DataErrorKind.InvalidInput, $"'{Path.Join(entry.Directory, entry.FileName)}': a .dvcignore inside a tracked folder is not allowed (DVC refuses it too); move its rules to the repository root.");
                }

                return !IsIgnored(ref entry, false);
            },
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !IsIgnored(ref entry, true),
        };
        return enumerable.ToList();

        // Without anchored rules the name alone decides, which spares building a path per file.
        bool IsIgnored(ref FileSystemEntry entry, bool isDirectory) => namesOnly
            ? ignore.IsNameIgnored(rootRelative, entry.FileName.ToString(), isDirectory)
            : ignore.IsIgnored(prefix + Path.Join(entry.Directory[folder.Length..].TrimStart(Path.DirectorySeparatorChar), entry.FileName).Replace(Path.DirectorySeparatorChar, '/'), isDirectory);
    }

    public string RepositoryPath(string fullPath)
    {
        var relative = Path.GetRelativePath(repositoryRoot, fullPath).Replace(Path.DirectorySeparatorChar, '/');
        return relative == "." ? "" : relative;
    }

    private void HashAll(List<WorkspaceFile> files, ObjectCache? saveTo, IProgress<long>? progress, bool legacy, CancellationToken cancellationToken)
    {
        long done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, files.Count, options, i =>
            {
                var file = files[i];
                var key = file.Key;
                if (stat.TryGet(key, file.Size, file.MtimeTicks) is { } known)
                {
                    file.Md5 = known;
                    file.Remembered = true;
                    saveTo?.SaveFile(file.FullPath, known);
                }
                else
                {
                    file.Md5 = legacy ? LegacyMd5.Hash(file.FullPath)
                        : saveTo is null ? FileMd5.Hash(file.FullPath)
                        : file.Size > FileMd5.SmallFile ? HashingCopier.HashAndSave(file.FullPath, saveTo, cancellationToken)
                        : FileMd5.Hash(file.FullPath, (md5, content) => saveTo.SaveBytes(md5, content));

                    stat.Set(key, file.Size, file.MtimeTicks, file.Md5);
                }

                var n = Interlocked.Increment(ref done);
                if (progress is not null && (n & 255) == 0)
                {
                    progress.Report(n);
                }
            });
        }
        catch (AggregateException e)
        {
            // Report the first failure itself (a DataException keeps its exit code), not a bundle of them.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }

        progress?.Report(files.Count);
    }
}
