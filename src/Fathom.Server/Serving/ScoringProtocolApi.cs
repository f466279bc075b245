using System.Text;
using System.Text.Json;
using Fathom.Http;
using Fathom.Mlflow;
using Microsoft.Net.Http.Headers;

namespace Fathom.Serving;

/// <summary>
/// MLflow's scoring protocol, beside the reference template's routes, so clients of <c>mlflow models serve</c>
/// (and MLflow's own deployment tooling) can call a Fathom endpoint unchanged: <c>POST /invocations</c>,
/// <c>GET /ping</c> and <c>GET /version</c> (MLflow's <c>/health</c> is the template's, also 200 once loaded).
/// </summary>
internal static class ScoringProtocolApi
{
    private const long MaxBodyBytes = 30_000_000;

    public static IEndpointRouteBuilder MapScoringProtocolApi(this IEndpointRouteBuilder app, ServingOptions options)
    {
        app.MapPost("/invocations", (HttpContext context, ReviewScorer scorer, CancellationToken cancellationToken) => InvokeAsync(context, scorer, options, cancellationToken))
            .WithTags("mlflow")
            .WithName("invocations")
            .WithSummary("Score reviews with MLflow's scoring protocol")
            .WithDescription("As `mlflow models serve` accepts it: a JSON body with exactly one of dataframe_split, dataframe_records, instances or inputs "
                + "holding the signature's one string column, text (the raw review); or text/csv with a header row naming it. Answers "
                + "{\"predictions\": [{\"logit_prob\": p, \"sentiment\": \"positive\"|\"negative\"}, ...]} in input order; refusals are "
                + "{\"error_code\": \"BAD_REQUEST\"|\"INVALID_PARAMETER_VALUE\", \"message\": ...} with HTTP 400, an unsupported content type 415.")
            .Produces<ScoringResponse>()
            .Produces<ScoringError>(StatusCodes.Status400BadRequest);

        // MLflow answers a bare newline with the JSON media type; its clients only look at the status.
        app.MapGet("/ping", () => Results.Text("\n", "application/json"))
            .WithTags("mlflow")
            .WithName("ping")
            .WithSummary("Readiness as MLflow's scoring server reports it: 200 once the model is loaded");
        app.MapGet("/version", () => Results.Text(MlflowTrackingApi.MlflowApiVersion, "text/plain"))
            .WithTags("mlflow")
            .WithName("mlflow-version")
            .WithSummary("The MLflow version whose scoring protocol this server speaks");
        return app;
    }

    private static async Task<IResult> InvokeAsync(HttpContext context, ReviewScorer scorer, ServingOptions options, CancellationToken cancellationToken)
    {
        if (ContentProblem(context.Request.ContentType, out var isCsv) is { } unsupported)
        {
            // MLflow answers these in plain text, not its JSON error shape.
            return Results.Text(unsupported, "text/plain", Encoding.UTF8, StatusCodes.Status415UnsupportedMediaType);
        }

        using var body = await BoundedBody.ReadAsync(context.Request.Body, context.Request.ContentLength, MaxBodyBytes, cancellationToken);
        if (body.TooLarge)
        {
            return Error(ScoringError.BadRequest($"The request body holds {body.Length} bytes; at most {MaxBodyBytes} are accepted. Split the rows over several requests."),
                StatusCodes.Status413PayloadTooLarge);
        }

        var bytes = JsonText.WithoutBom(body.Memory);
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            return Error(ScoringError.BadRequest("The request body is not valid UTF-8 text; the scoring server only reads UTF-8."));
        }

        var (texts, error) = isCsv ? InvocationsCsvReader.Read(Encoding.UTF8.GetString(bytes.Span), options) : ReadJson(bytes, options);
        if (error is not null)
        {
            return Error(error);
        }

        var probabilities = await scorer.ScoreAsync(texts!, cancellationToken);
        var predictions = new ScoringPrediction[probabilities.Length];
        for (var i = 0; i < predictions.Length; i++)
        {
            predictions[i] = new ScoringPrediction(Math.Round(probabilities[i], 6), Sentiment.SentimentModel.SentimentOf(probabilities[i]));
        }

        return Results.Json(new ScoringResponse(predictions), ScoringJsonContext.Default.ScoringResponse);
    }

    private static (string[]? Texts, ScoringError? Error) ReadJson(ReadOnlyMemory<byte> bytes, ServingOptions options)
    {
        if (JsonText.Problem(bytes.Span) is { } problem)
        {
            return (null, ScoringError.BadRequest($"Ensure that input is a valid JSON formatted string. {problem}"));
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return InvocationsRequestReader.Read(document.RootElement, options);
        }
        catch (JsonException e)
        {
            return (null, ScoringError.BadRequest($"Ensure that input is a valid JSON formatted string. Error: '{e.Message}'"));
        }
    }

    // MLflow's checks, in its order: only UTF-8, no other content-type parameter, JSON or CSV.
    private static string? ContentProblem(string? contentType, out bool isCsv)
    {
        isCsv = false;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return $"This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '{contentType}'.";
        }

        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return "The scoring server only supports UTF-8";
        }

        var others = media.Parameters.Where(p => !p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)).Select(p => p.Name.ToString()).ToList();
        if (others.Count > 0)
        {
            return $"Unrecognized content type parameters: {string.Join(", ", others)}.";
        }

        isCsv = media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase);
        return isCsv || media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '{contentType}'.";
    }

    private static IResult Error(ScoringError error, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(error, ScoringJsonContext.Default.ScoringError, statusCode: status);
}
