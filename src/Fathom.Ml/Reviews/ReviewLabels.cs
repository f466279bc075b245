namespace Fathom.Reviews;

/// <summary>The IMDB layout's names for labels (<c>pos</c>/<c>neg</c>).</summary>
internal static class ReviewLabels
{
    public const string Positive = "pos";
    public const string Negative = "neg";

    public static string ToName(ReviewLabel label) => label == ReviewLabel.Positive ? Positive : Negative;

    public static ReviewLabel? Parse(string? name) => name switch
    {
        Positive => ReviewLabel.Positive,
        Negative => ReviewLabel.Negative,
        _ => null,
    };
}
