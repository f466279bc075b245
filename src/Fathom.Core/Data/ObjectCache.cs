using System.Collections.Concurrent;
using System.IO.Enumeration;
using System.Text;

namespace Fathom.Data;

/// <summary>
/// DVC 3.x's content-addressed cache (also the layout of a local remote): <c>files/md5/ab/cdef…</c>, folder manifests
/// stored as <c>….dir</c> objects. An object's name appears only with its full content (on Linux an unnamed file
/// linked in when written, else a temporary name renamed), so a crash never leaves a half-written object; objects are
/// created read-only (0444) as DVC makes them.
/// </summary>
internal sealed partial class ObjectCache
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    // Past this many objects in one go, a listing per prefix folder beats a stat per object.
    private const int ListingThreshold = 512;

    private readonly ConcurrentDictionary<string, HashSet<string>?> _folders = new(StringComparer.Ordinal);
    private volatile bool _cloneWorks = true;
    private volatile bool _listFolders;

    public ObjectCache(string root)
        : this(root, Path.Combine(root, "files", "md5"))
    {
    }

    private ObjectCache(string root, string objectsRoot)
    {
        Root = root;
        ObjectsRoot = objectsRoot;
    }

    public string Root { get; }

    public string ObjectsRoot { get; }

    /// <summary>Whether this is the 2.x layout, whose file objects are named by DVC 2's dos2unix md5.</summary>
    public bool IsLegacy => ObjectsRoot == Root;

    /// <summary>DVC 2.x's layout, <c>ab/cdef…</c> right under the root, where DVC 3 still finds the objects of legacy (2.x) entries.</summary>
    public static ObjectCache Legacy(string root) => new(root, root);

    /// <summary>The object's file; an id from data that is not an object id is refused, since it would name another path.</summary>
    public string PathOf(string md5) => DvcHash.IsObjectId(md5)
        ? Path.Combine(ObjectsRoot, md5[..2], md5[2..])
        : throw new DataException(DataErrorKind.InvalidInput, $"'{md5}' is not a DVC object id (32 hex digits, '.dir' for a folder); it cannot name a cache file.");

    public bool Contains(string md5) => File.Exists(PathOf(md5));

    /// <summary>Every object id in the cache (3.x layout), e.g. for gc or a remote listing.</summary>
    public IEnumerable<string> EnumerateObjects()
    {
        var root = ObjectsRoot;
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (var prefix in Directory.EnumerateDirectories(root))
        {
            var two = Path.GetFileName(prefix);
            if (two.Length != 2)
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(prefix))
            {
                var name = Path.GetFileName(file);
                if (!name.StartsWith('.') && (name.Length == 30 || (name.Length == 34 && name.EndsWith(".dir", StringComparison.Ordinal))))
                {
                    yield return two + name;
                }
            }
        }
    }

    /// <summary>Stores bytes as an object unless present.</summary>
    public void SaveBytes(string md5, ReadOnlySpan<byte> content)
    {
        var target = PathOf(md5);
        if (IsStored(target))
        {
            return;
        }

        if (UnixFile.IsSupported)
        {
            using var file = AtomicNewFile.Create(target, ReadOnly);
            file.Write(content);
            file.Commit(replace: false);
            return;
        }

        var temp = AtomicFile.TempNameFor(target);
        using (var stream = new FileStream(temp, CreateOptions(0)))
        {
            stream.Write(content);
        }

        Publish(temp, target);
    }

    /// <summary>Copies a file in as an object unless present (cloned on reflink file systems, else copied).</summary>
    public void SaveFile(string source, string md5)
    {
        var target = PathOf(md5);
        if (IsStored(target))
        {
            return;
        }

        if (UnixFile.IsSupported)
        {
            AtomicNewFile.CopyFrom(source, target, ReadOnly, replace: false);
            return;
        }

        var temp = AtomicFile.TempNameFor(target);
        try
        {
            var tryClone = _cloneWorks;
            FileCopy.CopyNew(source, temp, ReadOnly, tryClone, out var cloned);
            if (tryClone && !cloned)
            {
                // The file system refused once; it will refuse the rest, so stop asking.
                _cloneWorks = false;
            }

            Publish(temp, target);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Hints that about <paramref name="count"/> objects are about to be saved: past a few hundred, one listing of each
    /// prefix folder answers "already stored?" for all its objects, where a stat per object would cost a system call
    /// each. For a few objects a stat each is cheaper than listing folders that may hold thousands.
    /// </summary>
    public void ExpectMany(int count)
    {
        if (count >= ListingThreshold)
        {
            _listFolders = true;
        }
    }

    /// <summary>
    /// Copies an object in from a local remote, hashing the bytes as they are written and publishing them only if they
    /// match the object id; a corrupt or truncated source never reaches the cache. Returns the bytes copied.
    /// </summary>
    public long SaveVerified(string source, string md5)
    {
        // Synchronous on purpose: a local remote's many small objects copy fastest without async hops per read.
        using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.None);
        var size = RandomAccess.GetLength(input);
        using var write = new VerifiedWrite(this, md5, size);
        int n;
        // Stop at the stat'ed length: the extra read that would find the end costs as much as a small object's copy.
        while (write.Length < size && (n = RandomAccess.Read(input, write.Buffer, write.Length)) > 0)
        {
            write.Append(n);
        }

        write.Publish(source);
        return write.Length;
    }

    /// <summary>As <see cref="SaveVerified(string, string)"/>, from a stream (a bucket download); <paramref name="source"/> names it in errors.</summary>
    public async Task<long> SaveVerifiedAsync(Stream input, string md5, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var write = new VerifiedWrite(this, md5, -1);
        int n;
        while ((n = await input.ReadAsync(write.Buffer, cancellationToken)) > 0)
        {
            write.Append(n);
        }

        write.Publish(source);
        return write.Length;
    }

    public void SaveManifest(string dirMd5, string manifest) => SaveBytes(dirMd5, Encoding.UTF8.GetBytes(manifest));

    /// <summary>Reads a <c>.dir</c> object: the (relpath, md5) entries of a tracked folder.</summary>
    public IReadOnlyList<ManifestEntry> ReadManifest(string dirMd5)
    {
        var path = PathOf(dirMd5);
        if (!File.Exists(path))
        {
            throw new DataException(DataErrorKind.NotFound, $"The folder manifest {dirMd5} is not in the cache ({path}); run 'fathom data fetch' or 'pull'.");
        }

        return ManifestEntry.ParseManifest(File.ReadAllText(path), path);
    }

    /// <summary>A temporary name next to the object's final path, creating its prefix folder once.</summary>
    public string TempFor(string target)
    {
        EnsureFolder(Path.GetDirectoryName(target)!);
        return AtomicFile.TempNameFor(target);
    }

    /// <summary>Whether the object at <paramref name="target"/> is stored, creating its prefix folder on first use.</summary>
    private bool IsStored(string target)
    {
        var names = EnsureFolder(Path.GetDirectoryName(target)!);
        return names is null ? File.Exists(target) : names.Contains(Path.GetFileName(target));
    }

    /// <summary>
    /// Creates the prefix folder once per process; when listing, also reads the names it held then (empty when it is
    /// new). Null: ask the file system per object. An object that arrives later is caught by the write itself (linkat
    /// refuses an existing name; rename replaces it with the same content).
    /// </summary>
    private HashSet<string>? EnsureFolder(string folder)
    {
        // Entered only after the folder exists: a parallel writer must never find it entered but not yet created.
        if (_folders.TryGetValue(folder, out var names))
        {
            return names;
        }

        names = null;
        if (_listFolders)
        {
            names = Directory.Exists(folder)
                ? new FileSystemEnumerable<string>(folder, (ref FileSystemEntry entry) => entry.FileName.ToString()).ToHashSet(StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal);
        }

        Directory.CreateDirectory(folder);
        return _folders.GetOrAdd(folder, names);
    }

    /// <summary>Renames a finished temporary file onto its object path; a concurrent writer of the same content is fine.</summary>
    public static void Publish(string temp, string target) => FileCopy.Replace(temp, target);

    // Created read-only (0444) in the same call, so no separate chmod; the open descriptor can still write.
    private static FileStreamOptions CreateOptions(int bufferSize)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ReadOnly;
        }

        return options;
    }

    public bool Remove(string md5)
    {
        var path = PathOf(md5);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }
}
