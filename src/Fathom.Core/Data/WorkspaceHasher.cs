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

        // The native listing is fingerprinted as it stands, with no string or object per file.
        var native = UseNativeListing ? NativeListing(fullPath) : null;
        var files = native is null ? ListFolder(fullPath, legacy) : null;
        StartupTrace.Mark("folder listed");
        var fingerprint = native is not null ? Fingerprint(native) : Fingerprint(files!);
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
    internal static string Fingerprint(List<WorkspaceFile> files)
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

    /// <summary>The same fingerprint from a native listing, whose records are already the bytes hashed above.</summary>
    internal static string Fingerprint(List<FolderListing> folders)
    {
        var hash = new XxHash64();
        foreach (var folder in folders)
        {
            hash.Append(folder.FingerprintBytes);
        }

        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    /// <summary>The files under a folder output, minus what <c>.dvcignore</c> hides; empty folders are not represented.</summary>
    public List<WorkspaceFile> ListFolder(string folder) => ListFolder(folder, legacy: false);

    /// <summary>
    /// Files keep a fixed order (the folder's own first, then each subfolder's tree breadth first, entries in listing
    /// order), which the listing's fingerprint relies on. On Linux the native listing stats them on every core (one stat
    /// per file is most of a no-change status over many files); elsewhere, or when it fails, the managed enumerator
    /// lists them.
    /// </summary>
    private List<WorkspaceFile> ListFolder(string folder, bool legacy)
    {
        var keyPrefix = StatKey(RepositoryPathPrefix(folder), legacy);
        if (UseNativeListing && NativeListing(folder) is { } native)
        {
            var files = new List<WorkspaceFile>(native.Sum(f => f.Count));
            foreach (var listed in native)
            {
                for (var i = 0; i < listed.Count; i++)
                {
                    files.Add(WorkspaceFile.InFolder(folder, keyPrefix, listed.RelativePath(i), listed.Size(i), listed.MtimeTicks(i)));
                }
            }

            return files;
        }

        return ManagedListing(folder, keyPrefix);
    }

    /// <summary>The folder's files through <see cref="NativeFolderWalk"/>; null when it could not list them.</summary>
    private List<FolderListing>? NativeListing(string folder)
    {
        var rootRelative = RepositoryPath(folder);
        var prefix = RepositoryPathPrefix(folder);
        var names = ignore.MatchesNamesOnlyUnder(rootRelative) ? ignore.NameRulesUnder(rootRelative) : null;
        var leftovers = new Leftovers();
        var listing = NativeFolderWalk.TryList(folder, IsIgnored, Math.Max(1, jobs));
        leftovers.Remove();
        return listing;

        // Without anchored rules the name alone decides, which spares building a path per file.
        bool IsIgnored(string directory, ReadOnlySpan<char> name, bool isDirectory)
        {
            if (!isDirectory && IsLeftover(name))
            {
                leftovers.Add(Path.Join(folder, directory, name));
                return true;
            }

            return names is not null
                ? names.IsIgnored(name, isDirectory)
                : ignore.IsIgnored(directory.Length == 0 ? string.Concat(prefix, name) : string.Concat(prefix, directory, "/", name), isDirectory);
        }
    }

    /// <summary>
    /// A temporary file of an interrupted write (see <see cref="AtomicFile"/>): never part of the data, so status, add
    /// and commit do not see it and checkout does not count it as a change to keep; the walk that finds it removes it
    /// once its writer is gone. A name check only, so a walk of 20,000 files pays nothing for it.
    /// </summary>
    private static bool IsLeftover(ReadOnlySpan<char> name) => name.Length > 0 && name[0] == '.' && AtomicFile.IsTemporary(name);

    /// <summary>Leftovers one walk found (on any of its threads; rarely any), removed when the walk is done.</summary>
    private sealed class Leftovers
    {
        private readonly Lock _gate = new();
        private List<string>? _paths;

        public void Add(string path)
        {
            lock (_gate)
            {
                (_paths ??= []).Add(path);
            }
        }

        public void Remove()
        {
            if (_paths is { } paths)
            {
                AtomicFile.RemoveLeftovers(paths);
            }
        }
    }

    /// <summary>
    /// The managed enumerator's listing: the top level first, then each subfolder on its own thread (the kernel stats
    /// faster on two cores than on one), each subfolder's tree breadth first as the enumerator recurses.
    /// </summary>
    private List<WorkspaceFile> ManagedListing(string folder, string keyPrefix)
    {
        var rootRelative = RepositoryPath(folder);
        var prefix = RepositoryPathPrefix(folder);
        var names = ignore.MatchesNamesOnlyUnder(rootRelative) ? ignore.NameRulesUnder(rootRelative) : null;
        var subfolders = new List<string>();
        var leftovers = new Leftovers();
        var files = Walk(folder, subfolders);
        if (subfolders.Count == 0)
        {
            leftovers.Remove();
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

        leftovers.Remove();
        return files;

        // With a list for subfolders, only the top level is walked and the folders to walk next are collected in it.
        List<WorkspaceFile> Walk(string root, List<string>? subfoldersOut)
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

                    if (IsLeftover(entry.FileName))
                    {
                        leftovers.Add(Path.Join(entry.Directory, entry.FileName));
                        return false;
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

        // The entry's path below the walked folder, '/'-separated, in one string allocation.
        string Relative(ref FileSystemEntry entry)
        {
            var directory = entry.Directory[folder.Length..].TrimStart(Path.DirectorySeparatorChar);
            var relative = directory.IsEmpty ? entry.FileName.ToString() : string.Concat(directory, "/", entry.FileName);
            return Path.DirectorySeparatorChar == '/' ? relative : relative.Replace(Path.DirectorySeparatorChar, '/');
        }
    }

    /// <summary>The folder's path from the repository root with a trailing '/' (empty for the root itself).</summary>
    private string RepositoryPathPrefix(string folder)
    {
        var relative = RepositoryPath(folder);
        return relative.Length == 0 ? "" : relative + "/";
    }

    internal static DataException MisplacedIgnoreFile(string path) =>
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
