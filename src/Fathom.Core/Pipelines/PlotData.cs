using System.Globalization;
using System.Text.Json;
using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>Reads plot data files as DVC does: JSON or YAML (a list of records, or the first list inside a mapping), CSV and TSV (a header row).</summary>
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

    private static List<Dictionary<string, object?>> Delimited(string text, char separator)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0)
        {
            return [];
        }

        var header = lines[0].Split(separator).Select(h => h.Trim()).ToArray();
        return lines.Skip(1).Select(line =>
        {
            var cells = line.Split(separator);
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = i < cells.Length ? cells[i].Trim() : null;
            }

            return row;
        }).ToList();
    }
}
