using System.Text;

namespace Fathom.Serving;

/// <summary>
/// Reads a <c>text/csv</c> <c>/invocations</c> body as MLflow does with <c>pandas.read_csv</c>: a header row naming
/// the columns, then one row per review; fields may be quoted (<c>""</c> escapes a quote, and a quoted field may span
/// lines). Only the <c>text</c> column is scored.
/// </summary>
internal static class InvocationsCsvReader
{
    public static (string[]? Texts, ScoringError? Error) Read(string csv, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var rows = Rows(csv);
        using var cursor = rows.GetEnumerator();
        if (!cursor.MoveNext())
        {
            return (null, ScoringError.BadRequest("Failed to parse input as a CSV data frame: the body is empty; send a header row naming the 'text' column, then one row per review."));
        }

        var header = cursor.Current;
        var column = header.IndexOf(InvocationsRequestReader.TextColumn);
        if (column < 0)
        {
            return (null, ScoringError.InvalidValue(
                $"Model is missing inputs ['{InvocationsRequestReader.TextColumn}']: the CSV header names [{string.Join(", ", header.Select(h => $"'{h}'"))}]. The model's signature takes one string column, 'text'."));
        }

        var texts = new List<string>();
        var line = 1;
        while (cursor.MoveNext())
        {
            line++;
            var row = cursor.Current;
            if (row.Count == 1 && row[0].Length == 0)
            {
                continue; // a blank line, skipped as pandas does
            }

            if (row.Count != header.Count)
            {
                return (null, ScoringError.BadRequest($"Failed to parse input as a CSV data frame: row {line} has {row.Count} fields; the header has {header.Count}."));
            }

            if (InvocationsRequestReader.Add(texts, row[column], $"CSV row {line}, column '{InvocationsRequestReader.TextColumn}',", options) is { } error)
            {
                return (null, error);
            }
        }

        return ([.. texts], null);
    }

    private static IEnumerable<List<string>> Rows(string csv)
    {
        var field = new StringBuilder();
        var row = new List<string>();
        var quoted = false;
        var any = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            any = true;
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                yield return row;
                row = [];
                any = false;
            }
            else
            {
                field.Append(c);
            }
        }

        if (any)
        {
            row.Add(field.ToString());
            yield return row;
        }
    }
}
