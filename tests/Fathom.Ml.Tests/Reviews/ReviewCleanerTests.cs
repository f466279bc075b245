using System.Text;
using Fathom.Support;

namespace Fathom.Reviews;

public sealed class ReviewCleanerTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("Hello <br /><br />World", "hello world")]
    [InlineData("<p>Hello</p>", " hello ")]
    [InlineData("multiple <i>tags</i> <b>here", "multiple tags here")]
    [InlineData("a <b\nc> d", "a d")]
    [InlineData("<>", " ")]
    [InlineData("<<b>>", " ")]
    [InlineData("a<b", "a b")]
    [InlineData("It's a great film!", "it a great film ")]
    [InlineData("a b c", "a c")]
    [InlineData(" a ", " ")]
    [InlineData("x a b c y", "x b y")]
    [InlineData("I loved it", "i loved it")]
    [InlineData("loved it, A", "loved it a")]
    [InlineData("x  y   z", "x z")]
    [InlineData("Tab\there\n\nnewline", "tab here newline")]
    [InlineData("5 stars", "5 stars")]
    [InlineData("\"Quoted\" (words) [here]_{x}~", " quoted words here ")]
    [InlineData("Caf\u00e9 \u0096 Na\u00efve", "caf\u00e9 \u0096 na\u00efve")]
    [InlineData("good\u0085bad", "good bad")]
    [InlineData("x \u00c9 y", "x \u00e9 y")]
    [InlineData("a\u00a0b\u00a0c", "a c")]
    [InlineData("x \u212A y", "x y")]
    [InlineData("smile \ud83d\ude00 ok", "smile \ud83d\ude00 ok")]
    public void Clean_TrickyInput_GivesExactOutput(string input, string expected)
    {
        Assert.Equal(expected, ReviewCleaner.Clean(input));
        Assert.Equal(expected, RegexReviewCleaner.Clean(input));
    }

    [Fact]
    public void Clean_RandomStrings_EqualsRegexReference()
    {
        string[] alphabet =
        [
            "a", "b", "z", "Q", "I", "x", "ab", " ", " ", "  ", "\t", "\n", "\r\n", "<", ">", "<br />", "/", ".", "'", "!", "-", "_", "`",
            "\u00a0", "\u0085", "\u0096", "\u001c", "\u2028", "\u3000", "\u00e9", "\u00c9", "\u212a", "\u0130", "\ud83d\ude00", "\ud83d",
            "7", "\u00df", "\u0391",
        ];
        var random = new Random(1234);
        var text = new StringBuilder();
        for (var iteration = 0; iteration < 30_000; iteration++)
        {
            text.Clear();
            var parts = random.Next(0, 25);
            for (var p = 0; p < parts; p++)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var input = text.ToString();
            Assert.True(RegexReviewCleaner.Clean(input) == ReviewCleaner.Clean(input), $"Differs for {Escape(input)}");
        }
    }

    [Fact]
    public void Clean_ReviewLikeText_EqualsRegexReference()
    {
        string[] reviews =
        [
            "Bromwell High is a cartoon comedy. It ran at the same time as some other programs about school life, such as \"Teachers\". My 35 years in the teaching profession lead me to believe that Bromwell High's satire is much closer to reality than is \"Teachers\".<br /><br />The scramble to survive financially, the insightful students who can see right through their pathetic teachers' pomp, the pettiness of the whole situation, all remind me of the schools I knew and their students. When I saw the episode in which a student repeatedly tried to burn down the school, I immediately recalled ......... at .......... High. A classic line: INSPECTOR: I'm here to sack one of your teachers. STUDENT: Welcome to Bromwell High. I expect that many adults of my age think that Bromwell High is far fetched. What a pity that it isn't!",
            "Once again Mr. Costner has dragged out a movie for far longer than necessary. Aside from the terrific sea rescue sequences, of which there are very few I just did not care about any of the characters. Most of us have ghosts in the closet, and Costner's character are realized early on, and then forgotten until much later, by which time I did not care.",
            "This film was a \u0096 how shall I put it \u0096 disaster. 1/10.<br /><br />I gave it a B- grade at first; then I re-watched it\u0085 no. A   D  grade, at best. <i>Avoid</i> <<it>>!!",
            "Caf\u00e9 Society (2016): na\u00efve, \u00e9l\u00e9gant, and \u2014 dare I say \u2014 a \u201cmasterpiece\u201d? Rated R. 9/10 \u2605\u2605\u2605",
            "\tA\tb\tc\t  d e f g <a href=\"x\">link</a> x-y z_w 'q' \"r\" s.",
        ];
        foreach (var review in reviews.Concat(SyntheticReviews.Generate(300, seed: 7).Select(r => r.Text)))
        {
            Assert.Equal(RegexReviewCleaner.Clean(review), ReviewCleaner.Clean(review));
        }
    }

    [Fact]
    public void Clean_LongInputBeyondStackBuffer_EqualsRegexReference()
    {
        var input = string.Concat(Enumerable.Repeat("Word a <br /> b, C's x ", 500));
        Assert.Equal(RegexReviewCleaner.Clean(input), ReviewCleaner.Clean(input));
    }

    [Fact]
    public void Clean_ManyOpenAngleBracketsWithoutClose_TreatsThemAsPunctuation()
    {
        var input = string.Concat(Enumerable.Repeat("<ab ", 20_000));
        Assert.Equal(RegexReviewCleaner.Clean(input), ReviewCleaner.Clean(input));
    }

    private static string Escape(string s) =>
        string.Concat(s.Select(c => c is >= ' ' and < '\u007f' ? c.ToString() : $"\\u{(int)c:x4}"));
}
