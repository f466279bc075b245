using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// The names DVC gives a run-cache entry (<c>dvc/stage/cache.py</c> <c>_get_cache_hash</c>): the sha256 of the stage's
/// lock entry as Python's <c>json.dumps(entry, sort_keys=True)</c> writes it, with every <c>size</c> and <c>nfiles</c>
/// left out (<c>dvc.utils.dict_sha256(…, exclude=["size", "nfiles"])</c>). The key reduces the outs to their paths, so
/// it names the inputs; the value is the whole entry, so it names one run. Both tools compute the same names, so they
/// share one run cache.
/// </summary>
internal static class RunCacheKey
{
    /// <summary>The folder name under <c>runs/&lt;key[:2]&gt;/</c>: command, deps, params and out paths.</summary>
    public static string Key(LockEntry entry) => Sha256(Json(entry, outsAsPaths: true));

    /// <summary>The file name of one run under its key: the whole entry, out hashes included.</summary>
    public static string Value(LockEntry entry) => Sha256(Json(entry, outsAsPaths: false));

    /// <summary>
    /// The bytes hashed: the dict of DVC's <c>to_single_stage_lockfile</c> (<c>cmd</c>, then <c>deps</c>, <c>params</c>
    /// and <c>outs</c> when not empty; a file as <c>path</c>, <c>hash</c> for 3.x entries, <c>md5</c> and <c>isexec</c>
    /// when true) with keys sorted, <c>", "</c> and <c>": "</c> separators and non-ASCII escaped.
    /// </summary>
    public static string Json(LockEntry entry, bool outsAsPaths)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["cmd"] = entry.CmdIsList ? entry.Cmd.Cast<object?>().ToList() : entry.Cmd.Count == 0 ? "" : entry.Cmd[0],
        };
        if (entry.Deps.Count > 0)
        {
            fields["deps"] = entry.Deps.Select(File).ToList();
        }

        if (entry.Params.Count > 0)
        {
            fields["params"] = entry.Params.ToDictionary(p => p.Key, p => (object?)p.Value.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        }

        if (entry.Outs.Count > 0)
        {
            fields["outs"] = entry.Outs.Select(o => outsAsPaths ? o.Path : File(o)).ToList();
        }

        var sb = new StringBuilder();
        Write(sb, fields);
        return sb.ToString();
    }

    // size and nfiles are excluded from both names; what remains of a file is its path, hash name, md5 and isexec.
    private static object? File(LockedFile file)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal) { ["path"] = file.Path };
        if (file.HashName is { } hashName)
        {
            fields["hash"] = hashName;
        }

        if (file.Md5 is { } md5)
        {
            fields["md5"] = md5;
        }

        if (file.IsExecutable)
        {
            fields["isexec"] = true;
        }

        return fields;
    }

    private static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case int i:
                sb.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                // json.dumps writes floats with repr(), and the non-finite ones as JavaScript names.
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PipelineValues.PythonFloat(d));
                break;
            case string s:
                DvcHash.AppendPythonJsonString(sb, s);
                break;
            case IDictionary<string, object?> map:
                sb.Append('{');
                var first = true;
                foreach (var key in map.Keys.Order(CodePointComparer.Instance))
                {
                    sb.Append(first ? "" : ", ");
                    first = false;
                    DvcHash.AppendPythonJsonString(sb, key);
                    sb.Append(": ");
                    Write(sb, map[key]);
                }

                sb.Append('}');
                break;
            case System.Collections.IEnumerable list:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in list)
                {
                    sb.Append(firstItem ? "" : ", ");
                    firstItem = false;
                    Write(sb, item);
                }

                sb.Append(']');
                break;
            default:
                throw new InvalidOperationException($"a lock entry holds no value of type {value.GetType().Name}");
        }
    }

    private static string Sha256(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));

    /// <summary>Python orders <c>str</c> keys by code point; UTF-16 order differs only past U+FFFF, but that is where it matters.</summary>
    private sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").EnumerateRunes();
            var b = (y ?? "").EnumerateRunes();
            while (true)
            {
                var moreA = a.MoveNext();
                var moreB = b.MoveNext();
                if (!moreA || !moreB)
                {
                    return moreA.CompareTo(moreB);
                }

                var c = a.Current.Value.CompareTo(b.Current.Value);
                if (c != 0)
                {
                    return c;
                }
            }
        }
    }
}
