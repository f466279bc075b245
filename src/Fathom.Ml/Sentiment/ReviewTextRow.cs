namespace Fathom.Sentiment;

/// <summary>The saved model's input row: one raw review.</summary>
/// <remarks>
/// ML.NET maps row classes to columns by reflection: property names are the saved model's column names, so
/// renaming one breaks every model already saved. The same holds for the other <c>…Row</c> classes.
/// </remarks>
internal sealed class ReviewTextRow
{
    public string Text { get; set; } = "";
}
