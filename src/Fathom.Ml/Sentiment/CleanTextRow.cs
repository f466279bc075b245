namespace Fathom.Sentiment;

/// <summary>The output of the model's first step, <see cref="ReviewCleaningMapping"/>.</summary>
internal sealed class CleanTextRow
{
    public string CleanText { get; set; } = "";
}
