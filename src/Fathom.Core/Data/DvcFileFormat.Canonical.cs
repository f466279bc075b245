namespace Fathom.Data;

internal static partial class DvcFileFormat
{
    /// <summary>Output keys the canonical reader knows; any other key sends the text to the full YAML reader.</summary>
    private static readonly string[] CanonicalKeys = ["md5", "size", "nfiles", "isexec", "hash", "path", "cache"];

    /// <summary>
    /// Reads a <c>.dvc</c> file in the exact shape <c>dvc add</c> and Fathom write (<c>outs:</c> then <c>- key: value</c>
    /// lines, optionally <c>wdir:</c>) without YamlDotNet, whose first use costs tens of milliseconds of start-up — more
    /// than a no-change <c>data status</c> may take in all. It accepts only lines whose meaning as YAML is plain (no
    /// quotes, comments, flow style, blank lines or continuation lines) and values that pass every check of the full
    /// reader; on anything else it returns null and the full reader decides, and reports errors with their line.
    /// </summary>
    internal static DvcFile? TryParseCanonical(string text)
    {
        var fields = new List<YamlField>();
        var outs = new List<IReadOnlyList<YamlField>>();
        List<YamlField>? entry = null;
        string? wdir = null;
        var inOuts = false;
        var start = 0;
        var number = 0;
        List<int> pathLines = [];
        while (start < text.Length)
        {
            number++;
            var end = text.IndexOf('\n', start);
            var line = end < 0 ? text[start..] : text[start..end];
            start = end < 0 ? text.Length : end + 1;
            if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("  ", StringComparison.Ordinal))
            {
                if (!inOuts || (line[0] == ' ' && entry is null) || !TrySplit(line.AsSpan(2), out var key, out var value) || !Array.Exists(CanonicalKeys, k => k == key))
                {
                    return null;
                }

                if (line[0] == '-')
                {
                    entry = [];
                    outs.Add(entry);
                }

                if (entry!.Exists(f => f.Key == key))
                {
                    return null;
                }

                if (key == "path")
                {
                    pathLines.Add(number);
                }

                entry.Add(new YamlField(key, line[2..] + "\n", value));
                continue;
            }

            if (!TrySplit(line, out var topKey, out var topValue) || fields.Exists(f => f.Key == topKey))
            {
                return null;
            }

            inOuts = topKey == "outs";
            entry = null;
            switch (topKey)
            {
                case "outs" when topValue.Length == 0:
                    fields.Add(new YamlField("outs", "outs:\n", null));
                    break;
                case "wdir" when topValue.Length > 0:
                    wdir = topValue;
                    fields.Add(new YamlField("wdir", line + "\n", wdir));
                    break;
                default:
                    return null;
            }
        }

        if (outs.Count == 0)
        {
            return null;
        }

        var parsed = new List<DvcOutput>(outs.Count);
        foreach (var output in outs)
        {
            if (CanonicalOutput(output) is not { } valid)
            {
                return null;
            }

            parsed.Add(valid);
        }

        return new DvcFile(parsed, wdir, new DvcFileLayout("", fields, outs, "- ", "  ")) { PathLines = pathLines };
    }

    /// <summary>Splits <c>key: value</c> (or <c>key:</c>) when both are plain scalars that mean themselves in YAML.</summary>
    private static bool TrySplit(string line, out string key, out string value) => TrySplit(line.AsSpan(), out key, out value);

    private static bool TrySplit(ReadOnlySpan<char> line, out string key, out string value)
    {
        key = value = "";
        var colon = line.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        foreach (var c in line[..colon])
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '_')
            {
                return false;
            }
        }

        key = line[..colon].ToString();
        var rest = line[(colon + 1)..];
        if (rest.Length == 0)
        {
            return true;
        }

        if (rest[0] != ' ' || rest.Length < 2 || !IsPlainSafe(rest[1..]))
        {
            return false;
        }

        value = rest[1..].ToString();
        return true;
    }

    /// <summary>
    /// A value whose YAML plain-scalar reading is its text: letters, digits and <c>._/-+=@,~</c> with inner single
    /// spaces, not starting with an indicator. Everything else (quotes, <c>#</c>, <c>: </c>, tabs, …) goes to YamlDotNet.
    /// </summary>
    private static bool IsPlainSafe(ReadOnlySpan<char> value)
    {
        if (value.Length == 0 || value[0] is '-' or ' ' or '@' or ',' or '~' || value[^1] == ' ')
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var ok = char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '/' or '-' or '+' or '=' or '@' or ',' or '~'
                || (c == ' ' && value[i - 1] != ' ');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The output of one canonical entry, or null when any value would fail the full reader's checks.</summary>
    private static DvcOutput? CanonicalOutput(IReadOnlyList<YamlField> entry)
    {
        string? path = null, md5 = null, hashName = null;
        long? size = null;
        int? nfiles = null;
        bool isExec = false, cache = true;
        foreach (var field in entry)
        {
            var value = field.Value!;
            switch (field.Key)
            {
                case "path":
                    path = value;
                    break;
                case "md5":
                    md5 = value.ToLowerInvariant();
                    if (!DvcHash.IsObjectId(md5))
                    {
                        return null;
                    }

                    break;
                case "size" when long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n):
                    size = n;
                    break;
                case "nfiles" when long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n):
                    nfiles = (int)Math.Min(int.MaxValue, n);
                    break;
                case "hash" when value == "md5":
                    hashName = value;
                    break;
                case "isexec" when IsBoolean(value, out var b):
                    isExec = b;
                    break;
                case "cache" when IsBoolean(value, out var b):
                    cache = b;
                    break;
                default:
                    return null;
            }
        }

        return path is null ? null : new DvcOutput(path, md5, size, nfiles, isExec, hashName, cache);
    }

    private static bool IsBoolean(string value, out bool result)
    {
        result = value.Equals("true", StringComparison.OrdinalIgnoreCase);
        return result || value.Equals("false", StringComparison.OrdinalIgnoreCase);
    }
}
