using System.Text;

namespace Fathom.Cli.Rendering;

/// <summary>A GitHub-flavoured Markdown table, as DVC's <c>--md</c> prints it (tabulate's "github" format, cells left-aligned).</summary>
internal static class MarkdownTable
{
    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var widths = headers.Select((h, i) => rows.Select(r => i < r.Count ? r[i].Length : 0).Prepend(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        Row(sb, headers, widths);
        sb.Append('|').AppendJoin('|', widths.Select(w => new string('-', w + 2))).Append("|\n");
        foreach (var row in rows)
        {
            Row(sb, row, widths);
        }

        return sb.ToString();
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
