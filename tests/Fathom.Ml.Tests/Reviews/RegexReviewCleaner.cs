using System.Text.RegularExpressions;

namespace Fathom.Reviews;

/// <summary>The specification of <see cref="ReviewCleaner"/> written as the regex sequence it replaces: the reference the fast single pass must equal.</summary>
internal static partial class RegexReviewCleaner
{
    public static string Clean(string text)
    {
        text = text.ToLowerInvariant();
        text = Tag().Replace(text, " ");
        text = Punctuation().Replace(text, " ");
        text = IsolatedLetter().Replace(text, " ");
        return Whitespace().Replace(text, " ");
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex("""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]""")]
    private static partial Regex Punctuation();

    [GeneratedRegex(@"\s+[a-zA-Z]\s+")]
    private static partial Regex IsolatedLetter();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
