using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Fathom.Data;

/// <summary>
/// The files of one folder as <see cref="NativeFolderWalk"/> found them, kept as the very bytes the listing's
/// fingerprint hashes (per file: its path below the walked folder in UTF-16, a zero byte, size and mtime, little-endian)
/// rather than as a string and an object per file: a no-change status hashes these bytes and never builds either.
/// </summary>
internal sealed class FolderListing
{
    /// <summary>The bytes that follow a file's path in its record: a zero byte, the size and the mtime.</summary>
    public const int TrailerSize = 17;

    private readonly string _prefix;
    private byte[] _records = new byte[4096];
    private int[] _starts = new int[64];

    public FolderListing(string fullPath, string relativeDirectory)
    {
        FullPath = fullPath;
        RelativeDirectory = relativeDirectory;
        _prefix = relativeDirectory.Length == 0 ? "" : relativeDirectory + "/";
    }

    public string FullPath { get; }

    /// <summary>The folder's path below the walked one, '/'-separated; empty for the walked folder itself.</summary>
    public string RelativeDirectory { get; }

    /// <summary>Subfolders to walk, in <c>readdir</c> order.</summary>
    public List<FolderListing> Subfolders { get; } = [];

    public int Count { get; private set; }

    /// <summary>What the fingerprint hashes for these files, in listing order.</summary>
    public ReadOnlySpan<byte> FingerprintBytes => _records.AsSpan(0, End(Count - 1));

    /// <summary>The path below the walked folder of the file <paramref name="index"/>, '/'-separated.</summary>
    public string RelativePath(int index) =>
        new(MemoryMarshal.Cast<byte, char>(_records.AsSpan(_starts[index], End(index) - TrailerSize - _starts[index])));

    public long Size(int index) => BinaryPrimitives.ReadInt64LittleEndian(_records.AsSpan(End(index) - 16));

    public long MtimeTicks(int index) => BinaryPrimitives.ReadInt64LittleEndian(_records.AsSpan(End(index) - 8));

    public void Add(ReadOnlySpan<char> name, long size, long mtimeTicks)
    {
        var start = End(Count - 1);
        var prefix = MemoryMarshal.AsBytes(_prefix.AsSpan());
        var path = MemoryMarshal.AsBytes(name);
        var end = start + prefix.Length + path.Length + TrailerSize;
        if (end > _records.Length)
        {
            Array.Resize(ref _records, Math.Max(end, _records.Length * 2));
        }

        if (Count + 1 >= _starts.Length)
        {
            Array.Resize(ref _starts, _starts.Length * 2);
        }

        var record = _records.AsSpan(start, end - start);
        prefix.CopyTo(record);
        path.CopyTo(record[prefix.Length..]);
        record[^TrailerSize] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(record[^16..], size);
        BinaryPrimitives.WriteInt64LittleEndian(record[^8..], mtimeTicks);
        _starts[Count] = start;
        Count++;
        _starts[Count] = end;
    }

    /// <summary>Where the record of file <paramref name="index"/> ends (0 before the first).</summary>
    private int End(int index) => index < 0 ? 0 : _starts[index + 1];
}
