using System.Text;

namespace Fathom.Config;

/// <summary>
/// OmegaConf's interpolation syntax, parsed: a string is literal text and <c>${…}</c> parts; a part is a node reference
/// (<c>${a.b}</c>, <c>${.sibling}</c>, <c>${..x}</c>, <c>${a[0]}</c>) or a resolver call (<c>${oc.env:VAR,default}</c>)
/// whose arguments may nest interpolations. <c>\${</c> is a literal <c>${</c>.
/// </summary>
internal static class ConfigInterpolation
{
    public abstract record Part;

    public sealed record Literal(string Text) : Part;

    public sealed record NodeReference(string Key) : Part;

    public sealed record ResolverCall(string Name, IReadOnlyList<Argument> Arguments) : Part;

    /// <summary>A resolver argument: its parts, and whether it was quoted (then it is a string, never typed).</summary>
    public sealed record Argument(IReadOnlyList<Part> Parts, bool Quoted);

    public static bool ContainsInterpolation(string text) => text.Contains("${", StringComparison.Ordinal);

    /// <summary>True when the whole string is one <c>${…}</c>: the result then keeps the referenced type.</summary>
    public static bool IsSingle(IReadOnlyList<Part> parts) => parts is [NodeReference or ResolverCall];

    public static IReadOnlyList<Part> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = 0;
        return ParseParts(text, ref i, stopAt: null);
    }

    // Text and interpolations up to the end, or (inside resolver arguments) up to a top-level ',' or '}'.
    private static List<Part> ParseParts(string s, ref int i, string? stopAt)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        while (i < s.Length)
        {
            var c = s[i];
            if (stopAt is not null && stopAt.Contains(c, StringComparison.Ordinal))
            {
                break;
            }

            if (c == '\\' && i + 2 < s.Length && s[i + 1] == '$' && s[i + 2] == '{')
            {
                literal.Append("${");
                i += 3;
                continue;
            }

            if (c == '\\' && i + 3 < s.Length && s[i + 1] == '\\' && s[i + 2] == '$' && s[i + 3] == '{')
            {
                literal.Append('\\');
                i += 2;
                continue;
            }

            if (stopAt is not null && c == '\\' && i + 1 < s.Length && s[i + 1] is ',' or '}' or '\\' or ' ')
            {
                literal.Append(s[i + 1]);
                i += 2;
                continue;
            }

            if (c == '$' && i + 1 < s.Length && s[i + 1] == '{')
            {
                if (literal.Length > 0)
                {
                    parts.Add(new Literal(literal.ToString()));
                    literal.Clear();
                }

                parts.Add(ParseInterpolation(s, ref i));
                continue;
            }

            literal.Append(c);
            i++;
        }

        if (literal.Length > 0)
        {
            parts.Add(new Literal(literal.ToString()));
        }

        return parts;
    }

    private static Part ParseInterpolation(string s, ref int i)
    {
        var start = i;
        i += 2;
        var name = i;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or '.' or '-' or '[' or ']' or '$' or ' ') && s[i] != '}')
        {
            i++;
        }

        var head = s[name..i].Trim();
        if (i < s.Length && s[i] == '}')
        {
            i++;
            return head.Length == 0 ? throw Invalid(s, start, "an empty interpolation") : new NodeReference(head);
        }

        if (i < s.Length && s[i] == ':' && IsResolverName(head))
        {
            i++;
            var args = new List<Argument>();
            while (true)
            {
                while (i < s.Length && s[i] == ' ')
                {
                    i++;
                }

                if (i < s.Length && s[i] is '\'' or '"')
                {
                    var quote = s[i];
                    var close = i + 1;
                    var text = new StringBuilder();
                    while (close < s.Length && s[close] != quote)
                    {
                        if (s[close] == '\\' && close + 1 < s.Length && (s[close + 1] == quote || s[close + 1] == '\\'))
                        {
                            close++;
                        }

                        text.Append(s[close]);
                        close++;
                    }

                    if (close >= s.Length)
                    {
                        throw Invalid(s, start, "an unterminated quoted argument");
                    }

                    var inner = 0;
                    var innerText = text.ToString();
                    args.Add(new Argument(ParseParts(innerText, ref inner, stopAt: null), Quoted: true));
                    i = close + 1;
                    while (i < s.Length && s[i] == ' ')
                    {
                        i++;
                    }
                }
                else
                {
                    var parts = ParseParts(s, ref i, stopAt: ",}");
                    if (parts.Count > 0 || (i < s.Length && s[i] == ','))
                    {
                        args.Add(new Argument(Trim(parts), Quoted: false));
                    }
                }

                if (i >= s.Length)
                {
                    throw Invalid(s, start, "a missing '}'");
                }

                if (s[i] == '}')
                {
                    i++;
                    return new ResolverCall(head, args);
                }

                i++; // ','
            }
        }

        throw Invalid(s, start, i >= s.Length ? "a missing '}'" : $"an unexpected '{s[i]}'");
    }

    private static List<Part> Trim(List<Part> parts)
    {
        if (parts.Count > 0 && parts[0] is Literal first)
        {
            parts[0] = new Literal(first.Text.TrimStart());
        }

        if (parts.Count > 0 && parts[^1] is Literal last)
        {
            parts[^1] = new Literal(last.Text.TrimEnd());
        }

        parts.RemoveAll(p => p is Literal { Text.Length: 0 });
        return parts;
    }

    private static bool IsResolverName(string head) =>
        head.Length > 0 && head.Split('.').All(seg => seg.Length > 0 && (char.IsAsciiLetter(seg[0]) || seg[0] == '_') && seg.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-'));

    private static ConfigException Invalid(string s, int at, string problem) =>
        new((SourcePosition?)null, "", $"GrammarParseError: '{s}' has {problem} in the interpolation at character {at + 1}.");
}
