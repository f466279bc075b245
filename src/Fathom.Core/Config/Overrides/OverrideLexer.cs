namespace Fathom.Config;

/// <summary>The tokens of an override's value, as Hydra's <c>OverrideLexer.g4</c> (VALUE_MODE) defines them.</summary>
internal enum TokenKind
{
    POpen,
    Comma,
    PClose,
    BracketOpen,
    BracketClose,
    BraceOpen,
    BraceClose,
    Colon,
    Equal,
    Float,
    Int,
    Bool,
    Null,
    UnquotedChar,
    Id,
    Esc,
    Ws,
    Quoted,
    Interpolation,
    End,
}

/// <summary>A token and where it starts in the override (0-based).</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Start);

/// <summary>
/// Splits an override value into tokens with ANTLR's rule: the longest match wins, and of equally long matches the
/// rule listed first in the grammar (so <c>true</c> is a BOOL, not an ID, and <c>inf</c> a FLOAT).
/// </summary>
internal static class OverrideLexer
{
    private const string UnquotedChars = "/-\\+.$%*@?|";
    private const string Escapable = "\\()[]{}:=, \t";

    public static List<Token> Tokenize(string text, int offset, Func<int, string, Exception> error)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var (kind, length) = Longest(text, i);
            if (length <= 0)
            {
                throw error(offset + i, $"token recognition error at: '{text[i]}'");
            }

            tokens.Add(new Token(kind, text.Substring(i, length), offset + i));
            i += length;
        }

        tokens.Add(new Token(TokenKind.End, "", offset + text.Length));
        return tokens;
    }

    private static (TokenKind Kind, int Length) Longest(string s, int p)
    {
        var best = (Kind: TokenKind.End, Length: 0);
        void Try(TokenKind kind, int length)
        {
            // Rules are tried in grammar order, so only a strictly longer match replaces an earlier one.
            if (length > best.Length)
            {
                best = (kind, length);
            }
        }

        Try(TokenKind.POpen, Around(s, p, '(', trailing: true));
        Try(TokenKind.Comma, Around(s, p, ',', trailing: true));
        Try(TokenKind.PClose, Around(s, p, ')', trailing: false));
        Try(TokenKind.BracketOpen, Opening(s, p, '['));
        Try(TokenKind.BracketClose, Around(s, p, ']', trailing: false));
        Try(TokenKind.BraceOpen, Opening(s, p, '{'));
        Try(TokenKind.BraceClose, Around(s, p, '}', trailing: false));
        Try(TokenKind.Colon, Around(s, p, ':', trailing: true));
        Try(TokenKind.Equal, Around(s, p, '=', trailing: true));
        Try(TokenKind.Float, Float(s, p));
        Try(TokenKind.Int, Int(s, p));
        Try(TokenKind.Bool, Word(s, p, "true") > 0 ? 4 : Word(s, p, "false"));
        Try(TokenKind.Null, Word(s, p, "null"));
        Try(TokenKind.UnquotedChar, UnquotedChars.Contains(s[p], StringComparison.Ordinal) ? 1 : 0);
        Try(TokenKind.Id, Id(s, p));
        Try(TokenKind.Esc, Esc(s, p));
        Try(TokenKind.Ws, Spaces(s, p));
        Try(TokenKind.Quoted, Quoted(s, p));
        Try(TokenKind.Interpolation, Interpolation(s, p));
        return best;
    }

    private static int Spaces(string s, int p)
    {
        var q = p;
        while (q < s.Length && s[q] is ' ' or '\t')
        {
            q++;
        }

        return q - p;
    }

    private static int Around(string s, int p, char c, bool trailing)
    {
        var q = p + Spaces(s, p);
        if (q >= s.Length || s[q] != c)
        {
            return 0;
        }

        q++;
        return (trailing ? q + Spaces(s, q) : q) - p;
    }

    private static int Opening(string s, int p, char c) => s[p] == c ? 1 + Spaces(s, p + 1) : 0;

    private static int Word(string s, int p, string word) =>
        p + word.Length <= s.Length && string.Compare(s, p, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0 ? word.Length : 0;

    private static bool Digit(string s, int p) => p < s.Length && s[p] is >= '0' and <= '9';

    // DIGIT ('_'? DIGIT)*
    private static int Digits(string s, int p)
    {
        if (!Digit(s, p))
        {
            return 0;
        }

        var q = p + 1;
        while (true)
        {
            if (Digit(s, q))
            {
                q++;
            }
            else if (q < s.Length && s[q] == '_' && Digit(s, q + 1))
            {
                q += 2;
            }
            else
            {
                return q - p;
            }
        }
    }

    // '0' | [1-9] ('_'? DIGIT)*
    private static int IntUnsigned(string s, int p) => p >= s.Length ? 0 : s[p] == '0' ? 1 : s[p] is >= '1' and <= '9' ? Digits(s, p) : 0;

    private static int Sign(string s, int p) => p < s.Length && s[p] is '+' or '-' ? 1 : 0;

    private static int Int(string s, int p)
    {
        var sign = Sign(s, p);
        var body = IntUnsigned(s, p + sign);
        return body > 0 ? sign + body : 0;
    }

    private static IEnumerable<int> PointFloats(string s, int p)
    {
        var whole = IntUnsigned(s, p);
        if (whole > 0 && p + whole < s.Length && s[p + whole] == '.')
        {
            yield return whole + 1;
            var fraction = Digits(s, p + whole + 1);
            if (fraction > 0)
            {
                yield return whole + 1 + fraction;
            }
        }

        if (p < s.Length && s[p] == '.' && Digits(s, p + 1) is var digits and > 0)
        {
            yield return 1 + digits;
        }
    }

    private static int Float(string s, int p)
    {
        var sign = Sign(s, p);
        var q = p + sign;
        var best = 0;
        var bases = PointFloats(s, q).ToList();
        best = bases.Count > 0 ? bases.Max() : 0;
        if (IntUnsigned(s, q) is var whole and > 0)
        {
            bases.Add(whole);
        }

        foreach (var length in bases)
        {
            var e = q + length;
            if (e < s.Length && s[e] is 'e' or 'E')
            {
                var x = e + 1 + Sign(s, e + 1);
                if (Digits(s, x) is var exponent and > 0)
                {
                    best = Math.Max(best, x + exponent - q);
                }
            }
        }

        if (best == 0)
        {
            best = Word(s, q, "inf") > 0 ? 3 : Word(s, q, "nan");
        }

        return best > 0 ? sign + best : 0;
    }

    private static int Id(string s, int p)
    {
        if (!(char.IsAsciiLetter(s[p]) || s[p] == '_'))
        {
            return 0;
        }

        var q = p + 1;
        while (q < s.Length && (char.IsAsciiLetterOrDigit(s[q]) || s[q] is '_' or '-'))
        {
            q++;
        }

        return q - p;
    }

    private static int Esc(string s, int p)
    {
        var q = p;
        while (q + 1 < s.Length && s[q] == '\\' && Escapable.Contains(s[q + 1], StringComparison.Ordinal))
        {
            q += 2;
        }

        return q - p;
    }

    // A quote, then the shortest run ending in the same quote that an even number of backslashes precedes.
    private static int Quoted(string s, int p)
    {
        var quote = s[p];
        if (quote is not ('\'' or '"'))
        {
            return 0;
        }

        for (var q = p + 1; q < s.Length; q++)
        {
            if (s[q] != quote)
            {
                continue;
            }

            var backslashes = 0;
            for (var b = q - 1; b > p && s[b] == '\\'; b--)
            {
                backslashes++;
            }

            if (backslashes % 2 == 0)
            {
                return q - p + 1;
            }
        }

        return 0;
    }

    // '${' ~('}')+ '}': up to the first closing brace (Hydra's lexer does not nest).
    private static int Interpolation(string s, int p)
    {
        if (p + 1 >= s.Length || s[p] != '$' || s[p + 1] != '{')
        {
            return 0;
        }

        var close = s.IndexOf('}', p + 2);
        return close > p + 2 ? close - p + 1 : 0;
    }
}
