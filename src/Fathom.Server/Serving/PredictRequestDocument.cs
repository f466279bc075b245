using System.ComponentModel;

namespace Fathom.Serving;

/// <summary>The predict body, declared for the OpenAPI document (the endpoint itself validates the raw JSON).</summary>
[Description("Reviews to score.")]
internal sealed record PredictRequestDocument(IReadOnlyList<PredictReviewDocument> Reviews);

/// <summary>A review in the predict body.</summary>
internal sealed record PredictReviewDocument(
    [property: Description("Your id for the review; echoed back as review_id.")] long Id,
    [property: Description("The raw review text; HTML and punctuation are cleaned by the model.")] string Text);
