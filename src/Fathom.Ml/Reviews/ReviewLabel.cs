namespace Fathom.Reviews;

/// <summary>The sentiment label of a review: the <c>neg</c>/<c>pos</c> folder or JSON value of the IMDB layout.</summary>
internal enum ReviewLabel
{
    Negative,
    Positive,
}
