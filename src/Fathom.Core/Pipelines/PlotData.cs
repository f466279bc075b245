using System.Globalization;
using System.Text.Json;
using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>Reads plot data files as DVC does: JSON or YAML (a list of records, or the first list inside a mapping), CSV and TSV (a header row, RFC 4180 quoting).</summary>
internal static class PlotData
{
    public static List<Dictionary<string, object?>> Parse(string text, string displayName)
    {
        var extension = Path.GetExtension(displayName).ToLowerInvariant();
        switch (extension)
        {
            case ".csv":
                return Delimited(text, ',');
            case ".tsv":
                return Delimited(text, '\t');
            case ".json":
                try
                {
                    using var doc = JsonDocument.Parse(text);
                    return Records(ParamsFiles.FromJson(doc.RootElement), displayName);
                }
                catch (JsonException e)
                {
                    throw new DvcFormatException(displayName, (int)(e.LineNumber ?? 0) + 1, "", $"invalid JSON: {e.Message}");
                }

            case ".yaml" or ".yml":
                return Records(PipelineYaml.Load(text, displayName) is { } root ? PipelineValues.FromYaml(root) : null, displayName);
            default:
                throw new DataException(DataErrorKind.InvalidInput, $"Plot file '{displayName}': unsupported format '{extension}' (use .json, .yaml, .csv, .tsv, or an image).");
        }
    }

    /// <summary>The series of one data file for a plot: each y field (the last field of the first record when none is named).</summary>
    public static List<PlotSeries> Series(string revision, string file, List<Dictionary<string, object?>> rows, IReadOnlyList<string> yFields, string? xField)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var fields = yFields.Count > 0 ? yFields : rows.FirstOrDefault()?.Keys.LastOrDefault() is { } last ? [last] : [];
        var series = new List<PlotSeries>();
        foreach (var field in fields)
        {
            if (rows.Count > 0 && rows.All(r => !r.ContainsKey(field)))
            {
                throw new DataException(DataErrorKind.InvalidInput, $"Plot file '{file}': no field '{field}' (fields: {string.Join(", ", rows[0].Keys)}).");
            }

            var points = new List<PlotPoint>();
            for (var i = 0; i < rows.Count; i++)
            {
                if (Number(rows[i].GetValueOrDefault(field)) is { } y)
                {
                    object x = xField is null ? i : rows[i].GetValueOrDefault(xField) is { } value ? Number(value) ?? (object)PipelineValues.ToText(value) : i;
                    points.Add(new PlotPoint(x, y));
                }
            }

            series.Add(new PlotSeries(revision, file, xField ?? "step", field, points));
        }

        return series;
    }

    /// <summary>
    /// The series of a categorical plot: for <c>confusion</c> templates one point per record (x field the actual class,
    /// y field the predicted one); for <c>bar_horizontal</c> one bar per record (y field the label, x field the length).
    /// Both fields are needed, as DVC's templates need them.
    /// </summary>
    public static List<PlotSeries> CategorySeries(string revision, string file, List<Dictionary<string, object?>> rows, PlotDefinition plot, IReadOnlyList<string> yFields, string? xField)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(plot);
        if (xField is null || yFields.Count == 0)
        {
            throw new DataException(DataErrorKind.InvalidInput, $"Plot '{plot.Id}': the '{plot.Template}' template needs both 'x' and 'y' fields of '{file}' (set them in dvc.yaml, or with -x and -y).");
        }

        var series = new List<PlotSeries>();
        foreach (var field in yFields)
        {
            foreach (var name in new[] { xField, field })
            {
                if (rows.Count > 0 && rows.All(r => !r.ContainsKey(name)))
                {
                    throw new DataException(DataErrorKind.InvalidInput, $"Plot file '{file}': no field '{name}' (fields: {string.Join(", ", rows[0].Keys)}).");
                }
            }

            var points = new List<PlotPoint>();
            foreach (var row in rows)
            {
                var x = row.GetValueOrDefault(xField);
                var y = row.GetValueOrDefault(field);
                if (plot.IsConfusion && x is not null && y is not null)
                {
                    points.Add(new PlotPoint(PipelineValues.ToText(x), 1, PipelineValues.ToText(y)));
                }
                else if (!plot.IsConfusion && Number(x) is { } length && y is not null)
                {
                    points.Add(new PlotPoint(PipelineValues.ToText(y), length));
                }
            }

            series.Add(new PlotSeries(revision, file, xField, field, points));
        }

        return series;
    }

    private static double? Number(object? value) => value switch
    {
        long l => l,
        double d => d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static List<Dictionary<string, object?>> Records(object? root, string displayName)
    {
        var list = root as List<object?> ?? FirstList(root)
            ?? throw new DataException(DataErrorKind.InvalidInput, $"Plot file '{displayName}': expected a list of records (or a mapping holding one).");
        return list.Select(item => item as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal) { ["value"] = item }).ToList();
    }

    private static List<object?>? FirstList(object? value) => value switch
    {
        List<object?> list => list,
        Dictionary<string, object?> map => map.Values.Select(FirstList).FirstOrDefault(l => l is not null),
        _ => null,
    };

    // RFC 4180, as Python's csv module reads DVC's plot files: a quoted cell may hold the separator, line breaks and
    // doubled quotes (""); blank lines are skipped; a row shorter than the header leaves the rest of its fields empty.
    private static List<Dictionary<string, object?>> Delimited(string text, char separator)
    {
        var records = DelimitedRows(text, separator);
        if (records.Count == 0)
        {
            return [];
        }

        var header = records[0].Select(h => h.Trim()).ToArray();
        return records.Skip(1).Select(cells =>
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = i < cells.Count ? cells[i].Trim() : null;
            }

            return row;
        }).ToList();
    }

    /// <summary>The rows of a CSV or TSV text, each a list of cells with quoting undone.</summary>
    public static List<List<string>> DelimitedRows(string text, char separator)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        var rowHasContent = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    cell.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
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
                rowHasContent = true;
            }
            else if (c == separator)
            {
                row.Add(cell.ToString());
                cell.Clear();
                rowHasContent = true;
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                EndRow();
            }
            else
            {
                cell.Append(c);
                rowHasContent = true;
            }
        }

        EndRow();
        return rows;

        void EndRow()
        {
            if (rowHasContent || cell.Length > 0)
            {
                row.Add(cell.ToString());
                rows.Add(row);
            }

            row = [];
            cell.Clear();
            rowHasContent = false;
        }
    }
}
