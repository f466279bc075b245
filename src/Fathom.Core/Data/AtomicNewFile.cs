namespace Fathom.Data;

/// <summary>
/// A new file whose name appears only once its whole content is written (Linux only; see <see cref="UnixFile"/>).
/// Where the file system allows, it starts unnamed in its folder (O_TMPFILE) and <see cref="Commit"/> links it in
/// (linkat): a crash before that leaves nothing behind, not even a temporary name, and there is no directory entry to
/// create and remove again. Elsewhere it is written under a temporary name in the same folder and renamed.
/// The folder must exist.
/// </summary>
internal sealed class AtomicNewFile : IDisposable
{
    // Learnt once per process: a file system that refuses O_TMPFILE refuses it every time, and so does the kernel's
    // rule on linking by descriptor (AT_EMPTY_PATH needs privileges before Linux 6.10; /proc/self/fd works for all).
    private static volatile bool _unnamedWorks = true;
    private static volatile bool _linkViaProc;

    private readonly string _path;
    private readonly string? _temp;
    private int _fd;

    private AtomicNewFile(string path, int fd, string? temp)
    {
        _path = path;
        _fd = fd;
        _temp = temp;
    }

    /// <summary>The descriptor to write the content to.</summary>
    public int Descriptor => _fd;

    /// <summary>Tests use this to run the temporary-name path on file systems that have O_TMPFILE.</summary>
    internal static bool UnnamedWorks
    {
        get => _unnamedWorks;
        set => _unnamedWorks = value;
    }

    /// <summary>Starts the file that <see cref="Commit"/> will name <paramref name="path"/>, created with its final mode.</summary>
    public static AtomicNewFile Create(string path, UnixFileMode mode)
    {
        if (_unnamedWorks)
        {
            var folder = Path.GetDirectoryName(path)!;
            var fd = UnixFile.OpenUnnamed(folder, mode, out var errno);
            if (fd >= 0)
            {
                return new AtomicNewFile(path, fd, null);
            }

            if (errno is not (UnixFile.EOPNOTSUPP or UnixFile.EISDIR or UnixFile.EINVAL or UnixFile.ENOSYS))
            {
                throw UnixFile.Failure(errno, "create a file in", folder);
            }

            _unnamedWorks = false;
        }

        var temp = AtomicFile.TempNameFor(path);
        return new AtomicNewFile(path, UnixFile.CreateNew(temp, mode), temp);
    }

    /// <summary>
    /// Copies <paramref name="source"/> to a new file <paramref name="path"/> that is named only when complete: one
    /// copy_file_range (the kernel copies, and clones on file systems that share extents, so no FICLONE), or reading
    /// where that is refused. The copy is trusted, not re-hashed (push and add read a cache or workspace file they
    /// already know). Returns the bytes copied.
    /// </summary>
    public static long CopyFrom(string source, string path, UnixFileMode mode, bool replace)
    {
        using var file = Create(path, mode);
        var length = file.CopyIn(source);
        file.Commit(replace);
        return length;
    }

    /// <summary>
    /// Fills the new file with <paramref name="source"/>'s bytes: one copy_file_range (a clone where the file system
    /// shares extents), or reading where that is refused. Returns the bytes copied.
    /// </summary>
    public long CopyIn(string source)
    {
        var input = UnixFile.OpenRead(source);
        try
        {
            var length = UnixFile.Length(input, source);
            if (!UnixFile.TryKernelCopy(input, _fd, length, _temp ?? _path))
            {
                FileCopy.CopyByReading(input, this, length, source);
            }

            return length;
        }
        finally
        {
            UnixFile.Close(input);
        }
    }

    /// <summary>
    /// A path that reads the content written so far (the temporary name, or the descriptor's entry in /proc for an
    /// unnamed file), for checks that need a second look at it before it is named.
    /// </summary>
    public string ReadablePath => _temp ?? $"/proc/self/fd/{_fd}";

    /// <summary>Writes <paramref name="content"/> at <paramref name="offset"/>.</summary>
    public void Write(ReadOnlySpan<byte> content, long offset = 0) => UnixFile.WriteAt(_fd, content, offset, _temp ?? _path);

    /// <summary>
    /// Gives the finished file its name. With <paramref name="replace"/> an existing file of that name is replaced, as
    /// rename does; without, an existing file is left as it is and false is returned (a content-addressed store, where
    /// the same name means the same content, needs no second copy).
    /// </summary>
    public bool Commit(bool replace) => CommitAs(_path, replace);

    /// <summary>
    /// As <see cref="Commit"/>, under a name chosen only now (a cache object whose id is its hash, known once the
    /// content is written); <paramref name="path"/> must be on the file system of the path given at creation.
    /// </summary>
    public bool CommitAs(string path, bool replace)
    {
        if (_temp is not null)
        {
            // rename replaces an existing name; in a content-addressed store that name holds the same content.
            Close();
            UnixFile.Rename(_temp, path);
            return true;
        }

        var errno = Link(path);
        if (errno == UnixFile.EEXIST && replace)
        {
            // linkat never replaces: name the file in the same folder first, then rename that name over the old one.
            var temp = AtomicFile.TempNameFor(path);
            errno = Link(temp);
            if (errno == 0)
            {
                try
                {
                    UnixFile.Rename(temp, path);
                }
                catch (IOException)
                {
                    // A folder where the file belongs (EISDIR): the temporary name must not stay behind.
                    File.Delete(temp);
                    throw;
                }

                return true;
            }
        }

        return errno switch
        {
            0 => true,
            UnixFile.EEXIST => false,
            _ => throw UnixFile.Failure(errno, "name the new file", path),
        };
    }

    public void Dispose()
    {
        Close();
        if (_temp is not null)
        {
            // Unpublished (a failed write): the temporary name must not stay. Renamed already, it is gone anyway.
            File.Delete(_temp);
        }
    }

    private int Link(string name)
    {
        if (!_linkViaProc)
        {
            var errno = UnixFile.LinkUnnamed(_fd, name, viaProc: false);
            if (errno is not (UnixFile.ENOENT or UnixFile.EPERM))
            {
                return errno;
            }

            // Unprivileged before Linux 6.10 (ENOENT), or refused by policy (EPERM): /proc/self/fd/N always works.
            var proc = UnixFile.LinkUnnamed(_fd, name, viaProc: true);
            if (proc is 0 or UnixFile.EEXIST)
            {
                _linkViaProc = true;
            }

            return proc;
        }

        return UnixFile.LinkUnnamed(_fd, name, viaProc: true);
    }

    private void Close()
    {
        if (_fd >= 0)
        {
            UnixFile.Close(_fd);
            _fd = -1;
        }
    }
}
