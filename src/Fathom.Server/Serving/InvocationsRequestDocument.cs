using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Fathom.Serving;

/// <summary>The <c>/invocations</c> body, declared for the OpenAPI document; send exactly one of the fields.</summary>
[Description("Exactly one of dataframe_split, dataframe_records, instances or inputs, holding the model's input column 'text' (string).")]
internal sealed record InvocationsRequestDocument(
    [property: JsonPropertyName("dataframe_split"), Description("pandas' split orient: {\"columns\": [\"text\"], \"data\": [[\"review\"], ...]}.")] SplitFrameDocument? DataframeSplit,
    [property: JsonPropertyName("dataframe_records"), Description("pandas' records orient: [{\"text\": \"review\"}, ...].")] IReadOnlyList<TextRecordDocument>? DataframeRecords,
    [property: JsonPropertyName("instances"), Description("TF serving's row form: [{\"text\": \"review\"}, ...] or [\"review\", ...].")] IReadOnlyList<TextRecordDocument>? Instances,
    [property: JsonPropertyName("inputs"), Description("TF serving's column form: {\"text\": [\"review\", ...]} (or rows, as instances).")] TextColumnDocument? Inputs);

/// <summary>A data frame in pandas' split orient.</summary>
internal sealed record SplitFrameDocument(
    [property: JsonPropertyName("columns")] IReadOnlyList<string> Columns,
    [property: JsonPropertyName("data")] IReadOnlyList<IReadOnlyList<string>> Data);

/// <summary>One row of the model's input.</summary>
internal sealed record TextRecordDocument([property: JsonPropertyName("text"), Description("The raw review text.")] string Text);

/// <summary>The model's input as columns.</summary>
internal sealed record TextColumnDocument([property: JsonPropertyName("text"), Description("The raw review texts.")] IReadOnlyList<string> Text);
