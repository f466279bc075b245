using System.Globalization;
using System.Text;
using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// Writes YAML the way ruamel.yaml's round-trip dumper does for DVC (block style, sequences not indented under their
/// key, 80-column folding of long plain or single-quoted scalars at single spaces, continuation indented two more
/// than the key), so <c>dvc.lock</c> comes out byte for byte as DVC writes it.
/// </summary>
internal sealed class YamlBlockWriter
{
    private const int BestWidth = 80;

    private readonly StringBuilder _sb = new();

    public override string ToString() => _sb.ToString();

    /// <summary><c>key: scalar</c> at <paramref name="indent"/>, or the first key of a sequence item when <paramref name="dash"/>.</summary>
    public void Scalar(int indent, string key, object? value, bool dash = false)
    {
        var prefix = Prefix(indent, dash) + Key(key) + ":";
        _sb.Append(prefix);
        var text = Format(value);
        if (text.Length > 0)
        {
            _sb.Append(' ');
            Fold(prefix.Length + 1, text, indent + 2);
        }

        _sb.Append('\n');
    }

    /// <summary><c>key:</c> opening a nested block (mapping or sequence).</summary>
    public void Open(int indent, string key, bool dash = false) => _sb.Append(Prefix(indent, dash)).Append(Key(key)).Append(":\n");

    /// <summary><c>- scalar</c> in a sequence whose dashes stand at <paramref name="indent"/>.</summary>
    public void Item(int indent, object? value)
    {
        var prefix = new string(' ', indent) + "-";
        _sb.Append(prefix);
        var text = Format(value);
        if (text.Length > 0)
        {
            _sb.Append(' ');
            Fold(prefix.Length + 1, text, indent + 2);
        }

        _sb.Append('\n');
    }

    /// <summary>Any loaded value under a key: scalars inline, lists and dicts as nested blocks, empty ones in flow style.</summary>
    public void Value(int indent, string key, object? value, bool dash = false)
    {
        switch (value)
        {
            case List<object?> { Count: 0 }:
                _sb.Append(Prefix(indent, dash)).Append(Key(key)).Append(": []\n");
                break;
            case Dictionary<string, object?> { Count: 0 }:
                _sb.Append(Prefix(indent, dash)).Append(Key(key)).Append(": {}\n");
                break;
            case List<object?> list:
                Open(indent, key, dash);
                foreach (var item in list)
                {
                    SequenceItem(indent, item);
                }

                break;
            case Dictionary<string, object?> map:
                Open(indent, key, dash);
                foreach (var (k, v) in map)
                {
                    Value(indent + 2, k, v);
                }

                break;
            default:
                Scalar(indent, key, value, dash);
                break;
        }
    }

    private void SequenceItem(int indent, object? item)
    {
        switch (item)
        {
            case Dictionary<string, object?> { Count: > 0 } map:
                var first = true;
                foreach (var (k, v) in map)
                {
                    Value(indent + 2, k, v, dash: first);
                    first = false;
                }

                break;
            case List<object?> { Count: > 0 } nested:
                // ruamel writes a nested list's first item on the dash line ("- - a").
                var inner = new YamlBlockWriter();
                foreach (var x in nested)
                {
                    inner.SequenceItem(indent + 2, x);
                }

                var text = inner.ToString();
                _sb.Append(new string(' ', indent)).Append("- ").Append(text.AsSpan(indent + 2));
                break;
            default:
                Item(indent, item is List<object?> or Dictionary<string, object?> ? Flow(item) : item);
                break;
        }
    }

    private static string Flow(object? empty) => empty is List<object?> ? "[]" : "{}";

    private static string Prefix(int indent, bool dash) => dash ? new string(' ', indent - 2) + "- " : new string(' ', indent);

    private static string Key(string key) => YamlScalar.Quote(key);

    /// <summary>A scalar as ruamel represents it (YAML 1.2): null as nothing, Python-style floats, strings quoted when needed.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d when double.IsNaN(d) => ".nan",
        double d when double.IsPositiveInfinity(d) => ".inf",
        double d when double.IsNegativeInfinity(d) => "-.inf",
        double d => PipelineValues.PythonFloat(d).ToLowerInvariant(),
        string s => YamlScalar.Quote(s),
        List<object?> or Dictionary<string, object?> => Flow(value),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    // ruamel's write_plain/write_single_quoted: a single space met after column 80 becomes a line break.
    private void Fold(int column, string text, int continuationIndent)
    {
        var quoted = text.Length > 1 && text[0] == '\'';
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != ' ')
            {
                _sb.Append(text[i]);
                column++;
                i++;
                continue;
            }

            var end = i;
            while (end < text.Length && text[end] == ' ')
            {
                end++;
            }

            var canBreak = end - i == 1 && column > BestWidth && (!quoted || (i != 1 && end != text.Length - 1));
            if (canBreak)
            {
                _sb.Append('\n').Append(' ', continuationIndent);
                column = continuationIndent;
            }
            else
            {
                _sb.Append(' ', end - i);
                column += end - i;
            }

            i = end;
        }
    }
}
