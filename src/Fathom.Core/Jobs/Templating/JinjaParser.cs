using System.Globalization;
using System.Text;

namespace Fathom.Jobs;

/// <summary>
/// Parses Jinja2 template text into <see cref="TemplateNode"/>s: <c>{{ expression }}</c>, <c>{% if/elif/else/endif %}</c>,
/// <c>{% for x in xs %}…{% else %}…{% endfor %}</c>, <c>{% set x = … %}</c>, <c>{# comments #}</c> and the <c>-</c>
/// whitespace control. Expressions have Jinja's precedence: conditional <c>a if c else b</c>, <c>or</c>, <c>and</c>,
/// <c>not</c>, comparisons with <c>in</c>/<c>not in</c>/<c>is [not] test</c>, <c>~</c>, <c>+ -</c>, <c>* / // %</c>,
/// unary minus, filters <c>x | f(args)</c>, then attribute, index and call. Nesting is bounded, so a hostile template
/// cannot exhaust the stack.
/// </summary>
internal sealed class JinjaParser
{
    private const int MaxDepth = 64;

    private static readonly string[] Comparisons = ["==", "!=", "<=", ">=", "<", ">"];

    private readonly string _text;
    private int _pos;
    private int _depth;

    private JinjaParser(string text) => _text = text;

    public static IReadOnlyList<TemplateNode> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new JinjaParser(text);
        var nodes = parser.Block(out var end);
        if (end is not null)
        {
            throw parser.Error($"unexpected '{{% {end} %}}' with no block open");
        }

        return nodes;
    }

    // Reads nodes until the end of the text or a block tag this level does not own (returned in `end`).
    private List<TemplateNode> Block(out string? end)
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"blocks nested deeper than {MaxDepth} levels");
        }

        var nodes = new List<TemplateNode>();
        var text = new StringBuilder();
        end = null;
        while (_pos < _text.Length)
        {
            var open = _text.IndexOf('{', _pos);
            if (open < 0 || open + 1 >= _text.Length)
            {
                text.Append(_text, _pos, _text.Length - _pos);
                _pos = _text.Length;
                break;
            }

            var kind = _text[open + 1];
            if (kind is not ('{' or '%' or '#'))
            {
                text.Append(_text, _pos, open + 1 - _pos);
                _pos = open + 1;
                continue;
            }

            text.Append(_text, _pos, open - _pos);
            _pos = open + 2;
            if (_pos < _text.Length && _text[_pos] == '-')
            {
                TrimEnd(text);
                _pos++;
            }

            Flush(nodes, text);
            switch (kind)
            {
                case '#':
                    var close = _text.IndexOf("#}", _pos, StringComparison.Ordinal);
                    _pos = close < 0 ? throw Error("a comment {# is never closed") : close + 2;
                    break;
                case '{':
                    nodes.Add(new OutputNode(Expression()));
                    Close("}}");
                    break;
                default:
                    var word = Word();
                    switch (word)
                    {
                        case "if":
                            nodes.Add(If());
                            break;
                        case "for":
                            nodes.Add(For());
                            break;
                        case "set":
                            var name = Word();
                            Expect("=");
                            nodes.Add(new SetNode(name, Expression()));
                            Close("%}");
                            break;
                        case "elif" or "else" or "endif" or "endfor":
                            end = word;
                            _depth--;
                            return nodes;
                        default:
                            throw Error($"unknown tag '{word}' (Fathom's templates know if, for and set)");
                    }

                    break;
            }
        }

        Flush(nodes, text);
        _depth--;
        return nodes;
    }

    private IfNode If()
    {
        var branches = new List<(Expr, IReadOnlyList<TemplateNode>)>();
        var condition = Expression();
        Close("%}");
        while (true)
        {
            var body = Block(out var end);
            branches.Add((condition, body));
            switch (end)
            {
                case "elif":
                    condition = Expression();
                    Close("%}");
                    continue;
                case "else":
                    Close("%}");
                    var otherwise = Block(out var last);
                    if (last != "endif")
                    {
                        throw Error("{% if %} … {% else %} needs {% endif %}");
                    }

                    Close("%}");
                    return new IfNode(branches, otherwise);
                case "endif":
                    Close("%}");
                    return new IfNode(branches, null);
                default:
                    throw Error("{% if %} is never closed with {% endif %}");
            }
        }
    }

    private ForNode For()
    {
        var targets = new List<string> { Word() };
        while (TryConsume(","))
        {
            targets.Add(Word());
        }

        if (Word() != "in")
        {
            throw Error("expected 'in' in {% for x in items %}");
        }

        var items = Expression();
        Close("%}");
        var body = Block(out var end);
        IReadOnlyList<TemplateNode>? otherwise = null;
        if (end == "else")
        {
            Close("%}");
            otherwise = Block(out end);
        }

        if (end != "endfor")
        {
            throw Error("{% for %} is never closed with {% endfor %}");
        }

        Close("%}");
        return new ForNode(targets, items, body, otherwise);
    }

    private void Close(string marker)
    {
        SkipSpace();
        var trim = false;
        if (_pos < _text.Length && _text[_pos] == '-')
        {
            trim = true;
            _pos++;
        }

        if (string.CompareOrdinal(_text, _pos, marker, 0, 2) != 0)
        {
            throw Error($"expected '{marker}'");
        }

        _pos += 2;
        if (trim)
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            {
                _pos++;
            }
        }
    }

    private Expr Expression()
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"expression nested deeper than {MaxDepth} levels");
        }

        var value = Or();
        if (PeekWord("if"))
        {
            Word();
            var condition = Or();
            Expr? otherwise = null;
            if (PeekWord("else"))
            {
                Word();
                otherwise = Expression();
            }

            value = new ConditionalExpr(value, condition, otherwise);
        }

        _depth--;
        return value;
    }

    private Expr Or()
    {
        var left = And();
        while (PeekWord("or"))
        {
            Word();
            left = new BinaryExpr("or", left, And());
        }

        return left;
    }

    private Expr And()
    {
        var left = Not();
        while (PeekWord("and"))
        {
            Word();
            left = new BinaryExpr("and", left, Not());
        }

        return left;
    }

    private Expr Not()
    {
        if (PeekWord("not"))
        {
            Word();
            return new UnaryExpr("not", Not());
        }

        return Compare();
    }

    private Expr Compare()
    {
        var left = Concat();
        while (true)
        {
            SkipSpace();
            var op = Comparisons.FirstOrDefault(o => string.CompareOrdinal(_text, _pos, o, 0, o.Length) == 0);
            if (op is not null)
            {
                _pos += op.Length;
                left = new BinaryExpr(op, left, Concat());
            }
            else if (PeekWord("in"))
            {
                Word();
                left = new BinaryExpr("in", left, Concat());
            }
            else if (PeekWord("not") && PeekSecondWord("in"))
            {
                Word();
                Word();
                left = new UnaryExpr("not", new BinaryExpr("in", left, Concat()));
            }
            else if (PeekWord("is"))
            {
                Word();
                var negated = PeekWord("not") && Word() == "not";
                var name = Word();
                var args = new List<Expr>();
                if (TryConsume("("))
                {
                    args.AddRange(Arguments(out _));
                }

                left = new TestExpr(left, name, negated, args);
            }
            else
            {
                return left;
            }
        }
    }

    private Expr Concat()
    {
        var left = Additive();
        while (TryConsume("~"))
        {
            left = new BinaryExpr("~", left, Additive());
        }

        return left;
    }

    private Expr Additive()
    {
        var left = Multiplicative();
        while (true)
        {
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] is '+' or '-' && !IsCloseMarker())
            {
                var op = _text[_pos++].ToString();
                left = new BinaryExpr(op, left, Multiplicative());
            }
            else
            {
                return left;
            }
        }
    }

    private Expr Multiplicative()
    {
        var left = Unary();
        while (true)
        {
            SkipSpace();
            var op = TryConsume("//") ? "//" : TryConsume("*") ? "*" : TryConsume("/") ? "/" : TryConsume("%") ? "%" : null;
            if (op is null)
            {
                return left;
            }

            left = new BinaryExpr(op, left, Unary());
        }
    }

    private Expr Unary()
    {
        SkipSpace();
        if (_pos < _text.Length && _text[_pos] == '-')
        {
            _pos++;
            return new UnaryExpr("-", Unary());
        }

        if (_pos < _text.Length && _text[_pos] == '+')
        {
            _pos++;
        }

        return Filtered();
    }

    private Expr Filtered()
    {
        var value = Postfix();
        while (TryConsume("|"))
        {
            var name = Word();
            IReadOnlyList<Expr> args = [];
            IReadOnlyDictionary<string, Expr> named = new Dictionary<string, Expr>();
            if (TryConsume("("))
            {
                args = Arguments(out var n);
                named = n;
            }

            value = new FilterExpr(value, name, args, named);
        }

        return value;
    }

    private Expr Postfix()
    {
        var value = Atom();
        while (true)
        {
            if (_pos < _text.Length && _text[_pos] == '.')
            {
                _pos++;
                SkipSpace();
                value = _pos < _text.Length && char.IsAsciiDigit(_text[_pos])
                    ? new IndexExpr(value, new LiteralExpr(long.Parse(Digits(), CultureInfo.InvariantCulture)))
                    : new AttributeExpr(value, Word());
            }
            else if (_pos < _text.Length && _text[_pos] == '[')
            {
                _pos++;
                var index = Expression();
                Expect("]");
                value = new IndexExpr(value, index);
            }
            else if (_pos < _text.Length && _text[_pos] == '(')
            {
                _pos++;
                var args = Arguments(out var named);
                value = new CallExpr(value, args, named);
            }
            else
            {
                return value;
            }
        }
    }

    // After '(' : positional and name=value arguments up to ')'.
    private List<Expr> Arguments(out Dictionary<string, Expr> named)
    {
        var args = new List<Expr>();
        named = new Dictionary<string, Expr>(StringComparer.Ordinal);
        if (TryConsume(")"))
        {
            return args;
        }

        do
        {
            SkipSpace();
            var save = _pos;
            if (_pos < _text.Length && (char.IsAsciiLetter(_text[_pos]) || _text[_pos] == '_'))
            {
                var name = Word();
                SkipSpace();
                if (_pos < _text.Length && _text[_pos] == '=' && (_pos + 1 >= _text.Length || _text[_pos + 1] != '='))
                {
                    _pos++;
                    named[name] = Expression();
                    continue;
                }

                _pos = save;
            }

            args.Add(Expression());
        }
        while (TryConsume(","));
        Expect(")");
        return args;
    }

    private Expr Atom()
    {
        SkipSpace();
        if (_pos >= _text.Length)
        {
            throw Error("the template ends inside an expression");
        }

        var c = _text[_pos];
        if (c is '\'' or '"')
        {
            return new LiteralExpr(StringLiteral());
        }

        if (char.IsAsciiDigit(c))
        {
            var digits = Digits();
            if (_pos + 1 < _text.Length && _text[_pos] == '.' && char.IsAsciiDigit(_text[_pos + 1]))
            {
                _pos++;
                digits += "." + Digits();
                return new LiteralExpr(double.Parse(digits, CultureInfo.InvariantCulture));
            }

            return new LiteralExpr(long.Parse(digits, CultureInfo.InvariantCulture));
        }

        if (c == '(')
        {
            _pos++;
            var inner = Expression();
            if (TryConsume(","))
            {
                var items = new List<Expr> { inner };
                if (!TryConsume(")"))
                {
                    do
                    {
                        items.Add(Expression());
                    }
                    while (TryConsume(",") && !PeekChar(')'));
                    Expect(")");
                }

                return new ListExpr(items);
            }

            Expect(")");
            return inner;
        }

        if (c == '[')
        {
            _pos++;
            var items = new List<Expr>();
            if (!TryConsume("]"))
            {
                do
                {
                    if (PeekChar(']'))
                    {
                        break;
                    }

                    items.Add(Expression());
                }
                while (TryConsume(","));
                Expect("]");
            }

            return new ListExpr(items);
        }

        if (c == '{')
        {
            _pos++;
            var items = new List<(Expr, Expr)>();
            if (!TryConsume("}"))
            {
                do
                {
                    if (PeekChar('}'))
                    {
                        break;
                    }

                    var key = Expression();
                    Expect(":");
                    items.Add((key, Expression()));
                }
                while (TryConsume(","));
                Expect("}");
            }

            return new DictExpr(items);
        }

        var word = Word();
        return word switch
        {
            "true" or "True" => new LiteralExpr(true),
            "false" or "False" => new LiteralExpr(false),
            "none" or "None" => new LiteralExpr(null),
            _ => new NameExpr(word),
        };
    }

    private string StringLiteral()
    {
        var quote = _text[_pos++];
        var value = new StringBuilder();
        while (_pos < _text.Length && _text[_pos] != quote)
        {
            var c = _text[_pos++];
            if (c == '\\' && _pos < _text.Length)
            {
                var e = _text[_pos++];
                value.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
            }
            else
            {
                value.Append(c);
            }
        }

        if (_pos >= _text.Length)
        {
            throw Error("a string is never closed");
        }

        _pos++;
        return value.ToString();
    }

    private string Digits()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }

        return _text[start.._pos].Replace("_", "", StringComparison.Ordinal);
    }

    private string Word()
    {
        SkipSpace();
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }

        if (start == _pos || char.IsAsciiDigit(_text[start]))
        {
            throw Error(_pos < _text.Length ? $"unexpected '{_text[_pos]}'" : "the template ends inside an expression");
        }

        return _text[start.._pos];
    }

    private bool PeekWord(string word)
    {
        SkipSpace();
        return string.CompareOrdinal(_text, _pos, word, 0, word.Length) == 0
            && (_pos + word.Length >= _text.Length || !(char.IsAsciiLetterOrDigit(_text[_pos + word.Length]) || _text[_pos + word.Length] == '_'));
    }

    private bool PeekSecondWord(string word)
    {
        var save = _pos;
        Word();
        var result = PeekWord(word);
        _pos = save;
        return result;
    }

    private bool PeekChar(char c)
    {
        SkipSpace();
        return _pos < _text.Length && _text[_pos] == c;
    }

    // "-}}" and "-%}" close a tag; they are not a minus sign.
    private bool IsCloseMarker() =>
        _pos + 2 < _text.Length && _text[_pos] == '-' && (_text[_pos + 1] == '}' || _text[_pos + 1] == '%') && _text[_pos + 2] == '}';

    private bool TryConsume(string token)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0)
        {
            return false;
        }

        // '%}' and '}}' end tags: a '%' or '}' there is not an operator.
        if (token == "%" && _pos + 1 < _text.Length && _text[_pos + 1] == '}')
        {
            return false;
        }

        _pos += token.Length;
        return true;
    }

    private void Expect(string token)
    {
        if (!TryConsume(token))
        {
            throw Error($"expected '{token}'");
        }
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private static void Flush(List<TemplateNode> nodes, StringBuilder text)
    {
        if (text.Length > 0)
        {
            nodes.Add(new TextNode(text.ToString()));
            text.Clear();
        }
    }

    private static void TrimEnd(StringBuilder text)
    {
        var end = text.Length;
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        text.Length = end;
    }

    private TemplateException Error(string problem) =>
        new($"template syntax error at column {Math.Min(_pos, _text.Length) + 1}: {problem}.");
}
