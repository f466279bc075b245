using System.Text.Json;

namespace Fathom.Serving;

/// <summary>
/// Reads an <c>/invocations</c> JSON body as <c>mlflow models serve</c> accepts it: exactly one of
/// <c>dataframe_split</c>, <c>dataframe_records</c>, <c>instances</c> or <c>inputs</c> (plus an optional
/// <c>params</c>, which this model takes none of). The model's signature has one string column, <c>text</c>, so
/// each form comes down to a list of review texts; refusals name the field, as the client must fix it.
/// </summary>
internal static class InvocationsRequestReader
{
    public const string TextColumn = "text";

    // MLflow's REQUIRED_INPUT_FORMAT sentence, so clients that match on it recognise the refusal.
    private const string RequiredFormat =
        "The input must be a JSON dictionary with exactly one of the input fields {'dataframe_split', 'dataframe_records', 'instances', 'inputs'}";

    private static readonly string[] Formats = ["dataframe_split", "dataframe_records", "instances", "inputs"];

    public static (string[]? Texts, ScoringError? Error) Read(JsonElement root, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (root.ValueKind != JsonValueKind.Object)
        {
            var received = root.ValueKind == JsonValueKind.Array ? "Received a list" : $"Received unexpected input type '{root.ValueKind}'";
            return Fail(ScoringError.BadRequest($"{RequiredFormat}. {received}."));
        }

        var present = Formats.Where(f => root.TryGetProperty(f, out _)).ToList();
        if (present.Count != 1)
        {
            var fields = string.Join(", ", root.EnumerateObject().Select(p => $"'{p.Name}'"));
            return Fail(ScoringError.BadRequest($"{RequiredFormat}. Received dictionary with input fields: [{fields}]."));
        }

        var format = present[0];
        var value = root.GetProperty(format);
        var texts = new List<string>();
        var error = format switch
        {
            "dataframe_split" => ReadSplit(value, texts, options),
            "dataframe_records" => ReadRecords(value, format, texts, options),
            _ => ReadTensorInput(value, format, texts, options),
        };
        return error is null ? ([.. texts], null) : Fail(error);
    }

    /// <summary>Checks one text against the server's limits and adds it; the error names where it came from.</summary>
    internal static ScoringError? Add(List<string> texts, JsonElement cell, string where, ServingOptions options)
    {
        if (cell.ValueKind != JsonValueKind.String)
        {
            return ScoringError.InvalidValue($"{where} must be a string (column '{TextColumn}' of the model's signature is a string); got {Describe(cell.ValueKind)}.");
        }

        return Add(texts, cell.GetString()!, where, options);
    }

    internal static ScoringError? Add(List<string> texts, string text, string where, ServingOptions options)
    {
        if (texts.Count >= options.MaxReviewsPerRequest)
        {
            return ScoringError.InvalidValue($"At most {options.MaxReviewsPerRequest} rows are accepted in one request; split the request.");
        }

        if (text.Length > options.MaxReviewLength)
        {
            return ScoringError.InvalidValue(
                $"{where} has {text.Length} characters; at most {options.MaxReviewLength} are accepted (shorten it or raise the server's --max-review-length).");
        }

        texts.Add(text);
        return null;
    }

    // pandas' "split" orient: {"columns": [...], "data": [[...], ...]} (an "index" is allowed and ignored).
    private static ScoringError? ReadSplit(JsonElement split, List<string> texts, ServingOptions options)
    {
        if (split.ValueKind != JsonValueKind.Object)
        {
            return ScoringError.BadRequest($"dataframe_split must be an object with 'columns' and 'data' (pandas' split orient); got {Describe(split.ValueKind)}.");
        }

        if (!split.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array)
        {
            return MissingText("dataframe_split.columns is missing or not a list");
        }

        var column = -1;
        var index = 0;
        foreach (var name in columns.EnumerateArray())
        {
            if (name.ValueKind == JsonValueKind.String && name.ValueEquals(TextColumn))
            {
                column = index;
            }

            index++;
        }

        if (column < 0)
        {
            return MissingText($"dataframe_split.columns has no '{TextColumn}'");
        }

        if (!split.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return ScoringError.BadRequest("dataframe_split.data is missing or not a list of rows.");
        }

        var row = 0;
        foreach (var values in data.EnumerateArray())
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() != index)
            {
                return ScoringError.BadRequest($"dataframe_split.data[{row}] must be a list of {index} values, one per column.");
            }

            if (Add(texts, values[column], $"dataframe_split.data[{row}][{column}]", options) is { } error)
            {
                return error;
            }

            row++;
        }

        return null;
    }

    // pandas' "records" orient: [{"text": "..."}, ...]; other columns are ignored, as MLflow's schema enforcement drops them.
    private static ScoringError? ReadRecords(JsonElement records, string field, List<string> texts, ServingOptions options)
    {
        if (records.ValueKind != JsonValueKind.Array)
        {
            return ScoringError.BadRequest($"{field} must be a list of records; got {Describe(records.ValueKind)}.");
        }

        var row = 0;
        foreach (var record in records.EnumerateArray())
        {
            var where = $"{field}[{row}]";
            if (record.ValueKind != JsonValueKind.Object)
            {
                return ScoringError.BadRequest($"{where} must be a record (an object of column values); got {Describe(record.ValueKind)}.");
            }

            if (!record.TryGetProperty(TextColumn, out var cell))
            {
                return MissingText($"{where} has no '{TextColumn}'");
            }

            if (Add(texts, cell, $"{where}.{TextColumn}", options) is { } error)
            {
                return error;
            }

            row++;
        }

        return null;
    }

    // TF serving's forms, as MLflow reads them for a one-column model: a list of records, a list of texts, or columns
    // ({"text": [...]} or {"text": "..."}).
    private static ScoringError? ReadTensorInput(JsonElement input, string field, List<string> texts, ServingOptions options)
    {
        if (input.ValueKind == JsonValueKind.Object)
        {
            if (!input.TryGetProperty(TextColumn, out var column))
            {
                return MissingText($"{field} has no '{TextColumn}'");
            }

            if (column.ValueKind != JsonValueKind.Array)
            {
                return Add(texts, column, $"{field}.{TextColumn}", options);
            }

            var row = 0;
            foreach (var cell in column.EnumerateArray())
            {
                if (Add(texts, cell, $"{field}.{TextColumn}[{row++}]", options) is { } error)
                {
                    return error;
                }
            }

            return null;
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            return ScoringError.BadRequest($"{field} must be a list (of texts or records) or an object of columns; got {Describe(input.ValueKind)}.");
        }

        if (input.GetArrayLength() > 0 && input[0].ValueKind == JsonValueKind.Object)
        {
            return ReadRecords(input, field, texts, options);
        }

        var index = 0;
        foreach (var cell in input.EnumerateArray())
        {
            if (Add(texts, cell, $"{field}[{index++}]", options) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    // MLflow's schema enforcement message for a missing column, with where it was looked for.
    private static ScoringError MissingText(string why) =>
        ScoringError.InvalidValue($"Model is missing inputs ['{TextColumn}']: {why}. The model's signature takes one string column, '{TextColumn}', the raw review text.");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static (string[]? Texts, ScoringError? Error) Fail(ScoringError error) => (null, error);
}
