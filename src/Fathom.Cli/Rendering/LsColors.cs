using System.Text;
using System.Text.RegularExpressions;
using Fathom.Data;

namespace Fathom.Cli.Rendering;

/// <summary>
/// How <c>dvc ls</c> colors names (dvc/commands/ls/ls_colors.py): codes from <c>LS_COLORS</c>, else DVC's default
/// <c>rs=0:di=01;34:ex=01;32</c>; an <c>out</c> code for outputs, then <c>di</c> for folders, <c>ex</c> for executables, then
/// <c>*.ext</c> by extension. DVC writes them whether or not stdout is a terminal, so Fathom does too.
/// </summary>
internal sealed partial class LsColors
{
    private const string Default = "rs=0:di=01;34:ex=01;32";

    private readonly Dictionary<string, string> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _extensions = new(StringComparer.Ordinal);

    private LsColors(string spec)
    {
        foreach (var item in spec.Split(':'))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue;
            }

            var (code, color) = (item[..equals], item[(equals + 1)..]);
            if (code.StartsWith("*.", StringComparison.Ordinal))
            {
                _extensions[code[1..]] = color;
            }
            else
            {
                _codes[code] = color;
            }
        }
    }

    public static LsColors FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("LS_COLORS") is { Length: > 0 } spec ? spec : Default);

    public string Format(LsEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.IsOut && _codes.TryGetValue("out", out var output))
        {
            return Paint(entry.Path, output);
        }

        if (entry.IsDir)
        {
            return Paint(entry.Path, _codes.GetValueOrDefault("di"));
        }

        if (entry.IsExec)
        {
            return Paint(entry.Path, _codes.GetValueOrDefault("ex"));
        }

        // Python's os.path.splitext: the last dot of the name, not a leading one; a dot-file's whole name is its extension.
        var name = entry.Path[(entry.Path.LastIndexOf('/') + 1)..];
        var dot = name.TrimStart('.').LastIndexOf('.');
        var extension = dot < 0 ? (name.StartsWith('.') ? name : "") : name[(name.Length - name.TrimStart('.').Length + dot)..];
        return Paint(entry.Path, extension.Length > 0 ? _extensions.GetValueOrDefault(extension) : null);
    }

    private string Paint(string text, string? color) =>
        string.IsNullOrEmpty(color) ? text : $"\u001b[{color}m{text}\u001b[{_codes.GetValueOrDefault("rs", "0")}m";

    /// <summary>
    /// Tabulate's "plain" table without headers, as DVC's <c>ui.table</c> prints <c>ls --size/--show-hash</c>: columns as
    /// wide as their widest cell (color codes not counted), two spaces apart, the first right-aligned when asked, and
    /// each line's end stripped.
    /// </summary>
    public static string PlainTable(IReadOnlyList<IReadOnlyList<string>> rows, bool rightAlignFirst)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        var widths = Enumerable.Range(0, columns).Select(i => rows.Max(r => i < r.Count ? Visible(r[i]) : 0)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            var cells = widths.Select((w, i) =>
            {
                var cell = i < row.Count ? row[i] : "";
                var pad = new string(' ', w - Visible(cell));
                return i == 0 && rightAlignFirst ? pad + cell : cell + pad;
            });
            sb.Append(string.Join("  ", cells).TrimEnd()).Append('\n');
        }

        return sb.ToString();
    }

    private static int Visible(string cell) => Escape().Replace(cell, "").Length;

    [GeneratedRegex("\u001b\\[[0-9;]*m")]
    private static partial Regex Escape();
}
