namespace Fathom.Sentiment;

/// <summary>A training or evaluation row: cleaned text and its label (true = positive).</summary>
internal sealed class LabeledTextRow
{
    public string CleanText { get; set; } = "";

    public bool Label { get; set; }
}
