using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Fathom.Config;

/// <summary>The value half of Hydra's override grammar: <c>value: element | element (',' element)+</c>.</summary>
internal sealed class ValueParser
{
    private readonly List<Token> _tokens;
    private readonly int _argument;
    private readonly Func<int, string, Exception> _error;
    private readonly Random _random;
    private int _next;

    public ValueParser(string text, int offset, int argument, Func<int, string, Exception> error, Random random)
    {
        _tokens = OverrideLexer.Tokenize(text, offset, error);
        _argument = argument;
        _error = error;
        _random = random;
    }

    private Token Current => _tokens[_next];

    public OverrideValue ParseValue()
    {
        var first = ParseElement();
        if (Current.Kind == TokenKind.Comma)
        {
            var choices = new List<OverrideValue> { first };
            while (Current.Kind == TokenKind.Comma)
            {
                _next++;
                choices.Add(ParseElement());
            }

            var elements = choices.Select(c => OverrideFunctions.AsElement(c, "a choice sweep", _error, Current.Start)).ToList();
            Expect(TokenKind.End);
            return new ChoiceSweep([.. elements], SimpleForm: true);
        }

        Expect(TokenKind.End);
        return first;
    }

    private OverrideValue ParseElement()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Id when _tokens[_next + 1].Kind == TokenKind.POpen:
                return ParseFunction();
            case TokenKind.BracketOpen:
                return new ElementValue(ParseList());
            case TokenKind.BraceOpen:
                return new ElementValue(ParseDict());
            case TokenKind.Quoted:
                _next++;
                return new ElementValue(ConfigScalar.Of(Unquote(token.Text), At(token)));
            default:
                return new ElementValue(ParsePrimitive(dictKey: false));
        }
    }

    private ConfigList ParseList()
    {
        var open = Current;
        _next++;
        var items = ImmutableArray.CreateBuilder<ConfigNode>();
        if (Current.Kind != TokenKind.BracketClose)
        {
            items.Add(OverrideFunctions.AsElement(ParseElement(), "a list", _error, Current.Start));
            while (Current.Kind == TokenKind.Comma)
            {
                _next++;
                items.Add(OverrideFunctions.AsElement(ParseElement(), "a list", _error, Current.Start));
            }
        }

        Expect(TokenKind.BracketClose);
        return new ConfigList(items.ToImmutable(), At(open));
    }

    private ConfigMap ParseDict()
    {
        var open = Current;
        _next++;
        var map = ConfigMap.Empty(At(open));
        if (Current.Kind != TokenKind.BraceClose)
        {
            do
            {
                if (map.Entries.Length > 0)
                {
                    _next++;
                }

                var keyToken = Current;
                var key = ParsePrimitive(dictKey: true);
                Expect(TokenKind.Colon);
                var value = OverrideFunctions.AsElement(ParseElement(), "a dict", _error, Current.Start);
                map = map.With(key.Text, value, At(keyToken));
            }
            while (Current.Kind == TokenKind.Comma);
        }

        Expect(TokenKind.BraceClose);
        return map;
    }

    private OverrideValue ParseFunction()
    {
        var name = Current;
        _next += 2;
        var args = new List<OverrideFunctions.Argument>();
        if (Current.Kind != TokenKind.PClose)
        {
            while (true)
            {
                string? argName = null;
                if (Current.Kind == TokenKind.Id && _tokens[_next + 1].Kind == TokenKind.Equal)
                {
                    argName = Current.Text;
                    _next += 2;
                }
                else if (args.Any(a => a.Name is not null))
                {
                    throw _error(Current.Start, "positional argument follows keyword argument");
                }

                var start = Current.Start;
                args.Add(new OverrideFunctions.Argument(argName, ParseElement(), start));
                if (Current.Kind != TokenKind.Comma)
                {
                    break;
                }

                _next++;
            }
        }

        Expect(TokenKind.PClose);
        return OverrideFunctions.Call(name.Text, args, name.Start, At(name), _error, _random);
    }

    // primitive: QUOTED_VALUE | (ID|NULL|INT|FLOAT|BOOL|INTERPOLATION|UNQUOTED_CHAR|COLON|ESC|WS)+ ;
    // dictKey is the same without INTERPOLATION and COLON (and without quoted values).
    private ConfigScalar ParsePrimitive(bool dictKey)
    {
        var first = _next;
        while (Current.Kind switch
        {
            TokenKind.Id or TokenKind.Null or TokenKind.Int or TokenKind.Float or TokenKind.Bool or TokenKind.UnquotedChar or TokenKind.Esc or TokenKind.Ws => true,
            TokenKind.Interpolation or TokenKind.Colon => !dictKey,
            _ => false,
        })
        {
            _next++;
        }

        if (_next == first)
        {
            throw Current.Kind == TokenKind.End
                ? _error(Current.Start, "missing a value")
                : _error(Current.Start, $"mismatched input '{Current.Text}'");
        }

        var begin = first;
        var end = _next;
        if (_tokens[begin].Kind == TokenKind.Ws)
        {
            if (end - begin == 1)
            {
                throw _error(_tokens[begin].Start, "Trying to parse a primitive that is all whitespaces");
            }

            begin++;
        }

        if (_tokens[end - 1].Kind == TokenKind.Ws)
        {
            end--;
        }

        var source = At(_tokens[begin]);
        if (end - begin > 1)
        {
            var text = new StringBuilder();
            for (var i = begin; i < end; i++)
            {
                text.Append(_tokens[i].Kind == TokenKind.Esc ? Unescape(_tokens[i].Text) : _tokens[i].Text);
            }

            return ConfigScalar.Of(text.ToString(), source);
        }

        var token = _tokens[begin];
        return token.Kind switch
        {
            TokenKind.Int => ParseInt(token, source),
            TokenKind.Float => ConfigScalar.Of(ParseFloat(token.Text), source),
            TokenKind.Null => ConfigScalar.Null(source),
            TokenKind.Bool => ConfigScalar.Of(token.Text.Equals("true", StringComparison.OrdinalIgnoreCase), source),
            TokenKind.Esc => ConfigScalar.Of(Unescape(token.Text), source),
            _ => ConfigScalar.Of(token.Text, source),
        };
    }

    private ConfigScalar ParseInt(Token token, SourcePosition source) =>
        long.TryParse(token.Text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? ConfigScalar.Of(value, source)
            : throw _error(token.Start, $"the integer '{token.Text}' does not fit in 64 bits");

    public static double ParseFloat(string text)
    {
        var body = text.Replace("_", "", StringComparison.Ordinal);
        var unsigned = body.TrimStart('+', '-');
        var negative = body.StartsWith('-');
        if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase))
        {
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        return unsigned.Equals("nan", StringComparison.OrdinalIgnoreCase)
            ? double.NaN
            : double.Parse(body, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    // An ESC token is pairs "\x": keep every second character.
    private static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length / 2);
        for (var i = 1; i < text.Length; i += 2)
        {
            result.Append(text[i]);
        }

        return result.ToString();
    }

    // Hydra's _unescape_quoted_string: only backslashes right before a quote are escapes; n of them before a quote in
    // the middle stand for (n-1)/2 backslashes and the quote, and before the closing quote for n/2 backslashes.
    public static string Unquote(string text)
    {
        var quote = text[0];
        var body = text[1..^1];
        var result = new StringBuilder(body.Length);
        var i = 0;
        while (i < body.Length)
        {
            if (body[i] != '\\')
            {
                result.Append(body[i++]);
                continue;
            }

            var run = i;
            while (run < body.Length && body[run] == '\\')
            {
                run++;
            }

            var count = run - i;
            if (run < body.Length && body[run] == quote)
            {
                result.Append('\\', (count - 1) / 2).Append(quote);
                i = run + 1;
            }
            else if (run == body.Length)
            {
                result.Append('\\', count / 2);
                i = run;
            }
            else
            {
                result.Append('\\', count);
                i = run;
            }
        }

        return result.ToString();
    }

    private void Expect(TokenKind kind)
    {
        if (Current.Kind == kind)
        {
            _next++;
            return;
        }

        var expected = kind switch
        {
            TokenKind.BracketClose => "']'",
            TokenKind.BraceClose => "'}'",
            TokenKind.PClose => "')'",
            TokenKind.Colon => "':'",
            _ => "end of input",
        };
        throw Current.Kind == TokenKind.End
            ? _error(Current.Start, $"missing {expected} at '<EOF>'")
            : _error(Current.Start, $"extraneous input '{Current.Text}' expecting {expected}");
    }

    private SourcePosition At(Token token) => SourcePosition.Override(_argument, token.Start + 1);
}
