using System.Text.Json.Nodes;
using Fathom.Models;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Fathom.Serving;

/// <summary>
/// Describes <c>/invocations</c> for the served model (MLflow's scoring server documents none, mlflow#2972): the
/// signature's input columns in the description, and the model folder's own input example as the request example,
/// wrapped as <c>dataframe_split</c> (the form MLflow saves it in), so "Try it" sends the model's real example.
/// </summary>
internal sealed class InvocationsDocumentation(ServedModel served)
{
    private const string FallbackExample = """{"columns": ["text"], "data": [["A wonderful film; the cast is superb."], ["Dull and far too long."]]}""";

    public async Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        if (operation.OperationId != "invocations")
        {
            return;
        }

        // Declared here, not with Accepts(): that metadata makes routing refuse other content types itself, in the
        // template's error shape, where MLflow answers 415 in plain text from the handler.
        operation.Description += $" Model {served.ModelUuid}; signature inputs: {ModelFolder.SignatureInputs}; outputs: {ModelFolder.SignatureOutputs}.";
        var frame = ParseFrame(served.InputExample) ?? (JsonObject)JsonNode.Parse(FallbackExample)!;
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = await context.GetOrCreateSchemaAsync(typeof(InvocationsRequestDocument), null, cancellationToken),
                    Example = new JsonObject { ["dataframe_split"] = frame },
                },
                ["text/csv"] = new()
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A header row naming the 'text' column, then one row per review." },
                    Example = JsonValue.Create(Csv(frame)),
                },
            },
        };
    }

    // The example as pandas' to_csv() would write it: the text column alone, each value quoted.
    private static string Csv(JsonObject frame)
    {
        var column = frame["columns"]!.AsArray().Select(c => c?.GetValue<string>()).ToList().IndexOf(InvocationsRequestReader.TextColumn);
        var rows = frame["data"]!.AsArray().Select(r => r is JsonArray row && row.Count > column && row[column] is JsonValue v && v.TryGetValue<string>(out var text)
            ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : "\"\"");
        return "text\n" + string.Join("\n", rows) + "\n";
    }

    // The saved example when it is a split frame with a text column; anything else is not shown rather than shown wrong.
    private static JsonObject? ParseFrame(string? example)
    {
        if (example is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(example) is JsonObject frame && frame["columns"] is JsonArray columns && frame["data"] is JsonArray
                && columns.Any(c => c?.GetValueKind() == System.Text.Json.JsonValueKind.String && c.GetValue<string>() == InvocationsRequestReader.TextColumn)
                ? frame
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
