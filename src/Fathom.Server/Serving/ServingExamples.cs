using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Fathom.Serving;

/// <summary>Examples in the OpenAPI document: what "Try it" on /docs fills in, so a first request shows a real answer.</summary>
internal static class ServingExamples
{
    private const string PredictRequest = """
        {"reviews": [
          {"id": 9176, "text": "I went in expecting little and came out moved. The acting is superb, and the last twenty minutes are as tense as anything I have seen this year."},
          {"id": 4502, "text": "Two hours I will never get back. The plot makes no sense, the dialogue is wooden and even the special effects look cheap.<br /><br />Skip it."}
        ]}
        """;

    private const string PredictResponse = """
        {"data": [
          {"review_id": 9176, "sentiment": "positive", "logit_prob": 0.93},
          {"review_id": 4502, "sentiment": "negative", "logit_prob": 0.04}
        ]}
        """;

    public static Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId == "predict")
        {
            if (operation.RequestBody?.Content?.TryGetValue("application/json", out var request) == true)
            {
                request.Example = JsonNode.Parse(PredictRequest);
            }

            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var response) == true)
            {
                response.Example = JsonNode.Parse(PredictResponse);
            }
        }

        return Task.CompletedTask;
    }
}
