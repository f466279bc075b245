using System.Globalization;
using System.Security.Cryptography;
using System.Text;

// DVC identifies content by MD5; the hash names data, it protects nothing, so the weak-crypto rule does not apply.
#pragma warning disable CA5351

namespace Fathom.Data;

/// <summary>
/// Content hashes computed exactly as DVC 3.x computes them, so a data version recorded on a run is the same
/// string DVC writes in <c>.dvc</c> and <c>dvc.lock</c> files: a file's MD5, or a folder's <c>.dir</c> hash
/// (MD5 of the sorted JSON manifest of its files, suffixed with ".dir").
/// </summary>
public static class DvcHash
{

    /// <summary>
    /// Whether <paramref name="id"/> names a cache object: 32 lowercase hex digits, a folder's with <c>.dir</c>. Object ids
    /// come from data (.dvc files, dvc.lock, manifests) and become cache and remote paths, so nothing else may pass.
    /// </summary>
    internal static bool IsObjectId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var hex = id.EndsWith(".dir", StringComparison.Ordinal) ? id.AsSpan(0, id.Length - 4) : id.AsSpan();
        if (hex.Length != 32)
        {
            return false;
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The lowercase hex MD5 of a file's raw bytes.</summary>
    public static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var hash = await MD5.HashDataAsync(stream, cancellationToken);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The hash of a file, or the <c>.dir</c> hash of a folder, with its size and file count.</summary>
    public static async Task<ContentHash> HashPathAsync(string path, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            return new ContentHash(await HashFileAsync(path, cancellationToken), new FileInfo(path).Length, 1);
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"Cannot hash '{path}': no such file or folder.", path);
        }

        var root = Path.GetFullPath(path);
        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => (Full: f, Relative: Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')))
            .ToArray();
        var hashes = new string[files.Length];
        long size = 0;
        // Hashing is I/O- and CPU-bound per file; spreading it over the cores is what makes many small files fast.
        await Parallel.ForAsync(0, files.Length, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount * 2 }, async (i, ct) =>
        {
            hashes[i] = await HashFileAsync(files[i].Full, ct);
            Interlocked.Add(ref size, new FileInfo(files[i].Full).Length);
        });

        var entries = files.Select((f, i) => (f.Relative, Md5: hashes[i])).OrderBy(e => e.Relative, StringComparer.Ordinal).ToList();
        var manifest = DirectoryManifest(entries);
        var dirHash = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(manifest))) + ".dir";
        return new ContentHash(dirHash, size, files.Length);
    }

    /// <summary>
    /// The manifest DVC stores for a folder: Python's <c>json.dumps(entries, sort_keys=True)</c> of
    /// <c>{"md5", "relpath"}</c> objects sorted by relpath, with ", " and ": " separators and non-ASCII escaped.
    /// </summary>
    public static string DirectoryManifest(IEnumerable<(string RelativePath, string Md5)> sortedEntries)
    {
        ArgumentNullException.ThrowIfNull(sortedEntries);
        var sb = new StringBuilder("[");
        var first = true;
        foreach (var (relative, md5) in sortedEntries)
        {
            if (!first)
            {
                sb.Append(", ");
            }

            first = false;
            sb.Append("{\"md5\": ");
            AppendPythonJsonString(sb, md5);
            sb.Append(", \"relpath\": ");
            AppendPythonJsonString(sb, relative);
            sb.Append('}');
        }

        return sb.Append(']').ToString();
    }

    /// <summary>A string as <c>json.dumps</c> writes it with <c>ensure_ascii=True</c>: <c>"</c>, <c>\</c>, control characters and everything beyond ASCII escaped (as <c>\uXXXX</c>, UTF-16 units).</summary>
    public static void AppendPythonJsonString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
