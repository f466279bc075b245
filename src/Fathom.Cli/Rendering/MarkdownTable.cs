using System.Text;

namespace Fathom.Cli.Rendering;

/// <summary>
/// DVC's tables as its <c>ui.table</c> prints them through tabulate (numbers not parsed, so every cell left-aligned):
/// <c>--md</c> in the "github" format, otherwise the "plain" one. Tabulate makes each column at least two wider than
/// its header (its MIN_PADDING) and strips the end of each plain line.
/// </summary>
internal static class MarkdownTable
{
    private const int MinPadding = 2;

    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = Widths(headers, rows);
        var sb = new StringBuilder();
        Row(sb, headers, widths);
        sb.Append('|').AppendJoin('|', widths.Select(w => new string('-', w + 2))).Append("|\n");
        foreach (var row in rows)
        {
            Row(sb, row, widths);
        }

        return sb.ToString();
    }

    /// <summary>Tabulate's "plain" format: columns padded to their width and two spaces apart, no rules.</summary>
    public static string RenderPlain(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = Widths(headers, rows);
        var sb = new StringBuilder();
        foreach (var row in rows.Prepend(headers))
        {
            var line = string.Join("  ", widths.Select((w, i) => (i < row.Count ? row[i] : "").PadRight(w)));
            sb.Append(line.TrimEnd()).Append('\n');
        }

        return sb.ToString();
    }

    private static int[] Widths(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        return headers.Select((h, i) => rows.Select(r => i < r.Count ? r[i].Length : 0).Prepend(h.Length + MinPadding).Max()).ToArray();
    }

    private static void Row(StringBuilder sb, IReadOnlyList<string> cells, int[] widths)
    {
        sb.Append('|');
        for (var i = 0; i < widths.Length; i++)
        {
            sb.Append(' ').Append((i < cells.Count ? cells[i] : "").PadRight(widths[i])).Append(" |");
        }

        sb.Append('\n');
    }
}
