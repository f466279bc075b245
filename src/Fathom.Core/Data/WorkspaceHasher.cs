using System.Buffers.Binary;
using System.IO.Enumeration;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Fathom.Diagnostics;

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

    /// <summary>Lists folders with <see cref="NativeFolderWalk"/> where it works (tests turn it off to compare the two).</summary>
    internal bool UseNativeListing { get; init; } = NativeFolderWalk.IsSupported;

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

        var files = ListFolder(fullPath, legacy);
        StartupTrace.Mark("folder listed");
        var fingerprint = Fingerprint(files);
        StartupTrace.Mark("fingerprinted");
        return stat.TryGetFolder(StatKey(RepositoryPath(fullPath), legacy), fingerprint);
    }

    private static string StatKey(string repositoryPath, bool legacy) => legacy ? LegacyKeyPrefix + repositoryPath : repositoryPath;

    /// <summary>
    /// An XXH64 over each file's path, size and mtime in listing order; any change to the listing changes it. Not MD5:
    /// loading OpenSSL for it cost a no-change status more time than hashing the listing does, and the fingerprint only
    /// has to notice changes, not resist forgery. Not XXH3/XXH128 either: their vectorised code is left out of the
    /// ReadyToRun image and ran unoptimised at first call.
    /// </summary>
    private static string Fingerprint(List<WorkspaceFile> files)
    {
        var hash = new XxHash64();
        Span<byte> numbers = stackalloc byte[17];
        foreach (var file in files)
        {
            hash.Append(MemoryMarshal.AsBytes(file.RelativePath.AsSpan()));
            numbers[0] = 0;
            BinaryPrimitives.WriteInt64LittleEndian(numbers[1..], file.Size);
            BinaryPrimitives.WriteInt64LittleEndian(numbers[9..], file.MtimeTicks);
            hash.Append(numbers);
        }

        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    /// <summary>The files under a folder output, minus what <c>.dvcignore</c> hides; empty folders are not represented.</summary>
    public List<WorkspaceFile> ListFolder(string folder) => ListFolder(folder, legacy: false);

    /// <summary>
    /// Walks the folder's top level, then each of its subfolders on its own thread: one stat per file is most of a
    /// no-change status over many files, and the kernel does it faster on two cores than on one. Files keep a fixed
    /// order (top level first, then each subfolder's in listing order), which the listing's fingerprint relies on.
    /// </summary>
    private List<WorkspaceFile> ListFolder(string folder, bool legacy)
    {
        var rootRelative = RepositoryPath(folder);
        var prefix = rootRelative.Length == 0 ? "" : rootRelative + "/";
        var keyPrefix = StatKey(prefix, legacy);
        var names = ignore.MatchesNamesOnlyUnder(rootRelative) ? ignore.NameRulesUnder(rootRelative) : null;
        var subfolders = new List<string>();
        var files = Walk(folder, subfolders);
        if (subfolders.Count == 0)
        {
            return files;
        }

        var parts = new List<WorkspaceFile>[subfolders.Count];
        try
        {
            Parallel.For(0, subfolders.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, i => parts[i] = Walk(subfolders[i], null));
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }

        foreach (var part in parts)
        {
            files.AddRange(part);
        }

        return files;

        // With a list for subfolders, only the top level is walked and the folders to walk next are collected in it.
        List<WorkspaceFile> Walk(string root, List<string>? subfoldersOut) =>
            (UseNativeListing ? NativeWalk(root, subfoldersOut) : null) ?? ManagedWalk(root, subfoldersOut);

        List<WorkspaceFile>? NativeWalk(string root, List<string>? subfoldersOut)
        {
            var files = new List<WorkspaceFile>();
            var found = new List<string>();
            var walked = NativeFolderWalk.TryWalk(root, subfoldersOut is null, (directory, name) => !IsIgnoredAt(directory, name, true), (directory, name, isDirectory, size, mtimeTicks) =>
            {
                if (isDirectory)
                {
                    if (subfoldersOut is not null && !IsIgnoredAt(directory, name, true))
                    {
                        found.Add(Path.Join(directory, name));
                    }

                    return;
                }

                if (name == DvcIgnore.FileName)
                {
                    throw MisplacedIgnoreFile(Path.Join(directory, name));
                }

                if (!IsIgnoredAt(directory, name, false))
                {
                    files.Add(WorkspaceFile.InFolder(folder, keyPrefix, RelativeOf(directory, name), size, mtimeTicks));
                }
            });
            if (!walked)
            {
                return null;
            }

            subfoldersOut?.AddRange(found);
            return files;
        }

        List<WorkspaceFile> ManagedWalk(string root, List<string>? subfoldersOut)
        {
            var options = new EnumerationOptions { RecurseSubdirectories = subfoldersOut is null, AttributesToSkip = 0, IgnoreInaccessible = false };
            var enumerable = new FileSystemEnumerable<WorkspaceFile>(root, (ref FileSystemEntry entry) =>
                WorkspaceFile.InFolder(folder, keyPrefix, Relative(ref entry), entry.Length, entry.LastWriteTimeUtc.UtcTicks), options)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                {
                    if (entry.IsDirectory)
                    {
                        if (subfoldersOut is not null && !IsIgnored(ref entry, true))
                        {
                            subfoldersOut.Add(entry.ToFullPath());
                        }

                        return false;
                    }

                    if (entry.FileName.SequenceEqual(DvcIgnore.FileName))
                    {
                        throw MisplacedIgnoreFile(Path.Join(entry.Directory, entry.FileName));
                    }

                    return !IsIgnored(ref entry, false);
                },
                ShouldRecursePredicate = (ref FileSystemEntry entry) => !IsIgnored(ref entry, true),
            };
            return enumerable.ToList();
        }

        // Without anchored rules the name alone decides, which spares building a path per file.
        bool IsIgnored(ref FileSystemEntry entry, bool isDirectory) => names is not null
            ? names.IsIgnored(entry.FileName, isDirectory)
            : ignore.IsIgnored(prefix + Relative(ref entry), isDirectory);

        bool IsIgnoredAt(string directory, string name, bool isDirectory) => names is not null
            ? names.IsIgnored(name, isDirectory)
            : ignore.IsIgnored(prefix + RelativeOf(directory, name), isDirectory);

        string Relative(ref FileSystemEntry entry) => RelativeOf(entry.Directory, entry.FileName);

        // The entry's path below the walked folder, '/'-separated, in one string allocation.
        string RelativeOf(ReadOnlySpan<char> entryDirectory, ReadOnlySpan<char> name)
        {
            var directory = entryDirectory[folder.Length..].TrimStart(Path.DirectorySeparatorChar);
            var relative = directory.IsEmpty ? name.ToString() : string.Concat(directory, "/", name);
            return Path.DirectorySeparatorChar == '/' ? relative : relative.Replace(Path.DirectorySeparatorChar, '/');
        }
    }

    private static DataException MisplacedIgnoreFile(string path) =>
        new(DataErrorKind.InvalidInput, $"'{path}': a .dvcignore inside a tracked folder is not allowed (DVC refuses it too); move its rules to the repository root.");

    public string RepositoryPath(string fullPath)
    {
        var relative = Path.GetRelativePath(repositoryRoot, fullPath).Replace(Path.DirectorySeparatorChar, '/');
        return relative == "." ? "" : relative;
    }

    private void HashAll(List<WorkspaceFile> files, ObjectCache? saveTo, IProgress<long>? progress, bool legacy, CancellationToken cancellationToken)
    {
        long done = 0;
        saveTo?.ExpectMany(files.Count);
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
                        : FileMd5.Hash(file.FullPath, file.Size, (md5, content) => saveTo.SaveBytes(md5, content));

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
