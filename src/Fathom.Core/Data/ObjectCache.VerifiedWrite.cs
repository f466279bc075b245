using System.Buffers;
using System.Security.Cryptography;

namespace Fathom.Data;

internal sealed partial class ObjectCache
{
    /// <summary>
    /// One object arriving from a remote: each chunk read into <see cref="Buffer"/> is hashed and written to a new cache
    /// file in the same pass, and <see cref="Publish"/> names it as its object only when the md5 matches the object id.
    /// On Linux the file is unnamed until then (O_TMPFILE, linked in by <see cref="AtomicNewFile"/>, as every other cache
    /// write), so a crash mid-download leaves no name at all; elsewhere it is a temporary name renamed into place.
    /// Disposing an unpublished write drops the file, so nothing half-written or corrupt stays.
    /// The sync (local remote) and async (bucket) downloads share it and differ only in how they read.
    /// </summary>
    private sealed class VerifiedWrite : IDisposable
    {
        private const int MaxBuffer = 1 << 18;

        private readonly string _md5;
        private readonly bool _legacy;
        private readonly string _target;
        private readonly string? _temp;
        private readonly FileStream? _output;
        private readonly AtomicNewFile? _file;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        private bool _published;

        /// <param name="cache">The cache the object goes to.</param>
        /// <param name="md5">The object id, which its content must hash to.</param>
        /// <param name="size">The expected size when known (a smaller buffer for small objects), else -1.</param>
        public VerifiedWrite(ObjectCache cache, string md5, long size)
        {
            _md5 = md5;
            _legacy = cache.IsLegacy;
            _target = cache.PathOf(md5);
            if (UnixFile.IsSupported)
            {
                cache.EnsureFolder(Path.GetDirectoryName(_target)!);
                _file = AtomicNewFile.Create(_target, ReadOnly);
            }
            else
            {
                _temp = cache.TempFor(_target);
                _output = new FileStream(_temp, CreateOptions(0));
            }

            Buffer = ArrayPool<byte>.Shared.Rent(size is >= 0 and < MaxBuffer ? (int)Math.Max(size, 1) : MaxBuffer);
        }

        /// <summary>Where the caller reads the next chunk to.</summary>
        public byte[] Buffer { get; }

        /// <summary>The bytes written so far.</summary>
        public long Length { get; private set; }

        /// <summary>Hashes and writes the first <paramref name="count"/> bytes of <see cref="Buffer"/>.</summary>
        public void Append(int count)
        {
            _hash.AppendData(Buffer, 0, count);
            if (_file is not null)
            {
                _file.Write(Buffer.AsSpan(0, count), Length);
            }
            else
            {
                // A FileStream without a buffer writes straight through (pwrite), with no seek to sync a handle.
                _output!.Write(Buffer, 0, count);
            }

            Length += count;
        }

        /// <summary>Checks the md5 and renames the object into place; <paramref name="source"/> names it when it is corrupt.</summary>
        public void Publish(string source)
        {
            _output?.Dispose();
            var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
            var expected = _md5.EndsWith(".dir", StringComparison.Ordinal) ? _md5[..^4] : _md5;
            // A 2.x object of a text file is named by its dos2unix md5 (CRLF counted as LF), not by its raw bytes' md5.
            if (actual != expected && !(_legacy && !_md5.EndsWith(".dir", StringComparison.Ordinal) && LegacyMd5.Hash(_file?.ReadablePath ?? _temp!) == expected))
            {
                throw new DataException(DataErrorKind.Failure, $"'{source}' is corrupt: its content hashes to {actual}, not {expected}; it was not copied.");
            }

            if (_file is not null)
            {
                // An object already there under this id has this content: keep it (linkat will not replace it).
                _file.Commit(replace: false);
            }
            else
            {
                ObjectCache.Publish(_temp!, _target);
            }

            _published = true;
        }

        public void Dispose()
        {
            // An unpublished unnamed file vanishes with its descriptor; a temporary name is deleted.
            _file?.Dispose();
            _output?.Dispose();
            _hash.Dispose();
            ArrayPool<byte>.Shared.Return(Buffer);
            if (!_published && _temp is not null)
            {
                File.Delete(_temp);
            }
        }
    }
}
