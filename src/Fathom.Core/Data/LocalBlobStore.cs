using System.Collections.Concurrent;
using System.IO.Enumeration;
using Fathom.Storage;

namespace Fathom.Data;

/// <summary>
/// A folder as a <see cref="IBlobStore"/>: a local (or mounted network) DVC remote, or one side of <c>data sync</c>.
/// Files arrive under a temporary name in their folder and are renamed into place.
/// </summary>
internal sealed class LocalBlobStore : IBlobStore
{
    // Objects pushed to a folder remote are read-only, as DVC's LocalHashFileDB protects them (CACHE_MODE 0o444); DVC
    // trusts an object of that mode without hashing it again, and re-hashes any other.
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly ConcurrentDictionary<string, bool> _createdFolders = new(StringComparer.Ordinal);
    private readonly PathConfinement _paths;

    public LocalBlobStore(string root)
    {
        Root = Path.GetFullPath(root);
        _paths = new PathConfinement(Root, $"'{Root}'");
    }

    public string Root { get; }

    public string Url => Root;

    // Local copies are bound by the disk and the kernel, not by latency: one worker per core is enough.
    public int DefaultJobs => Environment.ProcessorCount;

    /// <summary>
    /// The file of a key. Keys come from data (a bucket's listing for <c>data sync</c>, ids from manifests for a
    /// remote), so each must stay below the root: no <c>..</c>, no <c>.git</c> or <c>.dvc</c>, no link out on the way.
    /// </summary>
    public string PathOf(string key)
    {
        var confined = Confine(key);
        return confined.Refusal is { } refusal
            ? throw new DataException(DataErrorKind.InvalidInput, $"'{key}' {refusal}; it is not read or written under '{Root}'.")
            : confined.FullPath;
    }

    /// <summary>Where <paramref name="key"/> would go, or why it may not (see <see cref="PathOf"/>).</summary>
    public ConfinedPath Confine(string key) => _paths.ConfineBelow(key, guardMetadata: true, includeFinal: false);

    public string? LocalPath(string key) => PathOf(key);

    public Task<IReadOnlyList<BlobInfo>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var folder = prefix.Length == 0 ? Root : PathOf(prefix.TrimEnd('/'));
        if (!Directory.Exists(folder))
        {
            return Task.FromResult<IReadOnlyList<BlobInfo>>([]);
        }

        var root = Root;
        var files = new FileSystemEnumerable<BlobInfo>(folder, (ref FileSystemEntry entry) =>
            new BlobInfo(Key(root, entry.ToFullPath()), entry.Length, entry.LastWriteTimeUtc, null), new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        {
            // Half-written temporaries (AtomicFile's, and older versions' ".name.<hex>.tmp") are not files yet.
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && !IsTemporary(entry.FileName),
        };
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<BlobInfo>>(files.ToList());
    }

    /// <summary>Keys only: no stat per file, which is most of the cost of listing a big local remote.</summary>
    public Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken)
    {
        var folder = prefix.Length == 0 ? Root : PathOf(prefix.TrimEnd('/'));
        if (!Directory.Exists(folder))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        var root = Root;
        var files = new FileSystemEnumerable<string>(folder, (ref FileSystemEntry entry) => Key(root, entry.ToFullPath()), new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && !IsTemporary(entry.FileName),
        };
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<string>>(files.ToList());
    }

    public Task<BlobInfo?> StatAsync(string key, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(key));
        return Task.FromResult(info.Exists ? new BlobInfo(key, info.Length, info.LastWriteTimeUtc, null) : null);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));

    public Task UploadAsync(string key, string sourceFile, string? md5, CancellationToken cancellationToken)
    {
        Upload(key, sourceFile);
        return Task.CompletedTask;
    }

    /// <summary>Copies a local file in under <paramref name="key"/>, atomically and read-only (a remote's object); returns its size.</summary>
    public long Upload(string key, string sourceFile)
    {
        var target = PathOf(key);
        if (UnixFile.IsSupported)
        {
            EnsureFolder(Path.GetDirectoryName(target)!);
            return AtomicNewFile.CopyFrom(sourceFile, target, ReadOnly, replace: true);
        }

        var temp = TempFor(target);
        try
        {
            var length = FileCopy.CopyNew(sourceFile, temp, ReadOnly);
            FileCopy.Replace(temp, target);
            return length;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Copies a local file in (the kernel copies, or clones where it can), stamped with <paramref name="lastModified"/>.</summary>
    public void CopyIn(string key, string sourceFile, DateTimeOffset lastModified)
    {
        var target = PathOf(key);
        var temp = TempFor(target);
        try
        {
            File.Copy(sourceFile, temp);
            File.SetLastWriteTimeUtc(temp, lastModified.UtcDateTime);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Writes a stream to <paramref name="key"/> through a temporary file, stamping it with <paramref name="lastModified"/> when given.</summary>
    public async Task WriteAsync(string key, Stream content, DateTimeOffset? lastModified, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var target = PathOf(key);
        var temp = TempFor(target);
        try
        {
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(output, cancellationToken);
            }

            if (lastModified is { } stamp)
            {
                File.SetLastWriteTimeUtc(temp, stamp.UtcDateTime);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            File.Delete(PathOf(key));
        }

        return Task.CompletedTask;
    }

    /// <summary>A temporary name next to <paramref name="target"/>, creating its folder once per store.</summary>
    public string TempFor(string target)
    {
        EnsureFolder(Path.GetDirectoryName(target)!);
        return AtomicFile.TempNameFor(target);
    }

    private void EnsureFolder(string folder)
    {
        // Mark the folder only after it exists: a parallel writer must never see it marked but not yet created.
        if (!_createdFolders.ContainsKey(folder))
        {
            Directory.CreateDirectory(folder);
            _createdFolders.TryAdd(folder, true);
        }
    }

    public static bool IsTemporary(ReadOnlySpan<char> name) => name.StartsWith(".") && name.EndsWith(".tmp");

    private static string Key(string root, string fullPath) => fullPath[(root.Length + 1)..].Replace(Path.DirectorySeparatorChar, '/');
}
