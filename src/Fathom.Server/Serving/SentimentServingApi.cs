using System.Text.Json;
using Fathom.Http;
using Fathom.Sentiment;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fathom.Serving;

/// <summary>The reference template's model API: predict, version and health.</summary>
internal static class SentimentServingApi
{
    // Kestrel's own request limit: the largest body a predict request can carry.
    private const long MaxBodyBytes = 30_000_000;

    public static IEndpointRouteBuilder MapSentimentServingApi(this IEndpointRouteBuilder app, ServedModel served, ServingOptions options)
    {
        var group = app.MapGroup("/api/v1/model").WithTags("model");
        group.MapPost("/predict", (HttpContext context, ReviewScorer scorer, CancellationToken cancellationToken) => PredictAsync(context, scorer, options, cancellationToken))
            .WithName("predict")
            .WithSummary("Score movie reviews")
            .WithDescription("Returns, in request order, each review's probability of being positive (logit_prob) and its sentiment: positive when the probability is over 0.5.")
            .Accepts<PredictRequestDocument>("application/json")
            .Produces<PredictResponse>()
            .Produces<ValidationProblem>(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/version", () => TypedResults.Json(new VersionResponse(new VersionData(served.ModelUuid)), ServingJsonContext.Default.VersionResponse))
            .WithName("version")
            .WithSummary("The id of the served model (the run that trained it)")
            .WithDescription("Answers {\"data\": {\"model_uuid\": \"<run id>\"}}: the tracking run whose model folder is served.")
            .Produces<VersionResponse>();
        app.MapGet("/health", () => TypedResults.Json(new HealthResponse("ok", served.ModelUuid), ServingJsonContext.Default.HealthResponse))
            .WithTags("health")
            .WithName("health")
            .WithSummary("Liveness and readiness: 200 once the model is loaded");
        return app;
    }

    private static async Task<IResult> PredictAsync(HttpContext context, ReviewScorer scorer, ServingOptions options, CancellationToken cancellationToken)
    {
        // Read whole (Kestrel bounds it) and checked before parsing: a body that is not UTF-8, or escapes half a
        // surrogate pair, parses but fails when its text is read; FastAPI answers it as a JSON decode error.
        using var body = await BoundedBody.ReadAsync(context.Request.Body, context.Request.ContentLength, MaxBodyBytes, cancellationToken);
        if (body.TooLarge)
        {
            return TypedResults.Json(new ErrorDetail($"The request body holds {body.Length} bytes; at most {MaxBodyBytes} are accepted. Split the reviews over several requests."),
                ServingJsonContext.Default.ErrorDetail, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var text = JsonText.WithoutBom(body.Memory);
        if (JsonText.Problem(text.Span) is { } problem)
        {
            return Invalid(new ValidationDetail(["body", 0], $"JSON decode error: {problem}", "json_invalid"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            return Invalid(new ValidationDetail(["body", e.BytePositionInLine ?? 0], $"JSON decode error: {e.Message}", "json_invalid"));
        }

        using (document)
        {
            var (reviews, errors) = PredictRequestReader.Read(document.RootElement, options);
            if (errors.Count > 0)
            {
                return TypedResults.Json(new ValidationProblem(errors), ServingJsonContext.Default.ValidationProblem, statusCode: StatusCodes.Status422UnprocessableEntity);
            }

            var texts = new string[reviews.Count];
            for (var i = 0; i < texts.Length; i++)
            {
                texts[i] = reviews[i].Text;
            }

            var probabilities = await scorer.ScoreAsync(texts, cancellationToken);
            var result = new ReviewPrediction[texts.Length];
            for (var i = 0; i < result.Length; i++)
            {
                var p = probabilities[i];
                result[i] = new ReviewPrediction(reviews[i].Id, SentimentModel.SentimentOf(p), Math.Round(p, 6));
            }

            return TypedResults.Json(new PredictResponse(result), ServingJsonContext.Default.PredictResponse);
        }
    }

    private static JsonHttpResult<ValidationProblem> Invalid(ValidationDetail detail) =>
        TypedResults.Json(new ValidationProblem([detail]), ServingJsonContext.Default.ValidationProblem, statusCode: StatusCodes.Status422UnprocessableEntity);
}
