namespace Fathom.Search;

/// <summary>Splits a filter or order-by string into tokens; a character no token can start with is a syntax error.</summary>
internal static class SearchTokenizer
{
    public static List<SearchToken> Tokenize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var tokens = new List<SearchToken>();
        var i = 0;
        while (i < input.Length)
        {
            var c = input[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"' or '`')
            {
                tokens.Add(ReadQuoted(input, ref i));
            }
            else if (char.IsAsciiDigit(c) || (c is '-' or '+' or '.' && i + 1 < input.Length && char.IsAsciiDigit(input[i + 1]) && StartsValue(tokens)))
            {
                tokens.Add(ReadNumber(input, ref i));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < input.Length && (char.IsLetterOrDigit(input[i]) || input[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new SearchToken(SearchTokenKind.Word, input[start..i], start));
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var start = i;
                var two = i + 1 < input.Length ? input.Substring(i, 2) : null;
                var text = two is "!=" or "<=" or ">=" ? two : c.ToString();
                if (text == "!")
                {
                    throw SearchErrors.Syntax(input, "'!' must be followed by '=' (the comparator is '!=')", start);
                }

                i += text.Length;
                tokens.Add(new SearchToken(SearchTokenKind.Comparator, text, start));
            }
            else
            {
                var kind = c switch
                {
                    '.' => SearchTokenKind.Dot,
                    '(' => SearchTokenKind.OpenParen,
                    ')' => SearchTokenKind.CloseParen,
                    ',' => SearchTokenKind.Comma,
                    ';' => SearchTokenKind.Semicolon,
                    _ => throw SearchErrors.Syntax(input, $"unexpected character '{c}'", i),
                };
                tokens.Add(new SearchToken(kind, c.ToString(), i));
                i++;
            }
        }

        tokens.Add(new SearchToken(SearchTokenKind.End, string.Empty, input.Length));
        return tokens;
    }

    // A sign or a leading dot belongs to a number only where a value may start: after a comparator.
    private static bool StartsValue(List<SearchToken> tokens) => tokens.Count > 0 && tokens[^1].Kind == SearchTokenKind.Comparator;

    private static SearchToken ReadQuoted(string input, ref int i)
    {
        var quote = input[i];
        var start = i;
        var text = new System.Text.StringBuilder();
        i++;
        while (true)
        {
            if (i >= input.Length)
            {
                throw SearchErrors.Syntax(input, $"unterminated {quote}-quoted text", start);
            }

            if (input[i] == quote)
            {
                // A doubled quote inside quotes stands for the quote itself, as in SQL.
                if (i + 1 < input.Length && input[i + 1] == quote)
                {
                    text.Append(quote);
                    i += 2;
                    continue;
                }

                i++;
                break;
            }

            text.Append(input[i]);
            i++;
        }

        var kind = quote switch
        {
            '\'' => SearchTokenKind.SingleQuoted,
            '"' => SearchTokenKind.DoubleQuoted,
            _ => SearchTokenKind.BackTicked,
        };
        return new SearchToken(kind, text.ToString(), start);
    }

    private static SearchToken ReadNumber(string input, ref int i)
    {
        var start = i;
        if (input[i] is '-' or '+')
        {
            i++;
        }

        while (i < input.Length && (char.IsAsciiLetterOrDigit(input[i]) || input[i] == '.'
            || (input[i] is '-' or '+' && input[i - 1] is 'e' or 'E')))
        {
            i++;
        }

        return new SearchToken(SearchTokenKind.Number, input[start..i], start);
    }
}
