using System.Globalization;
using System.Text;

namespace Fathom.Config;

/// <summary>
/// Parses command-line overrides with Hydra 1.3's grammar (<c>OverrideParser.g4</c>): <c>key=value</c>, <c>key=</c>,
/// <c>+key=value</c>, <c>++key=value</c>, <c>~key[=value]</c>, <c>group@pkg=option</c>; values typed as Hydra types them
/// (int, float, bool, null, quoted and unquoted strings, lists, dicts), simple choice sweeps (<c>a,b</c>) and the
/// grammar's functions. Fathom adds list operators: <c>key+=[a,b]</c>, <c>key+=a</c>, <c>key-=a</c>, indexed keys
/// <c>key[2]=x</c> (same as <c>key.2=x</c>), <c>key[2]+=x</c> (insert before) and <c>~key[2]</c>.
/// Errors start as Hydra's do (<c>Error parsing override '…'</c>) and give the column of the problem.
/// </summary>
internal static class OverrideParser
{
    /// <summary>Parses every argument; <paramref name="random"/> drives <c>shuffle([…])</c> of a list.</summary>
    public static IReadOnlyList<Override> ParseAll(IEnumerable<string> arguments, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return [.. arguments.Select((a, i) => Parse(a, i, random))];
    }

    public static Override Parse(string input, int argument = 0, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        Exception Error(int column, string problem) => new ConfigException(
            SourcePosition.Override(argument, column + 1), "", $"Error parsing override '{input}': {problem} at column {column + 1}.");

        var p = 0;
        var kind = OverrideKind.Change;
        if (input.StartsWith('~'))
        {
            kind = OverrideKind.Delete;
            p = 1;
        }
        else if (input.StartsWith("++", StringComparison.Ordinal))
        {
            kind = OverrideKind.ForceAdd;
            p = 2;
        }
        else if (input.StartsWith('+'))
        {
            kind = OverrideKind.Add;
            p = 1;
        }

        var (key, package) = ParseKey(input, ref p, Error);
        if (p == input.Length)
        {
            return kind == OverrideKind.Delete
                ? new Override(kind, key, package, null, input, argument)
                : throw Error(p, "missing '=' after the key (write key=value; key= sets an empty string)");
        }

        if (kind == OverrideKind.Change && package is null && key.EndsWith('-') && p < input.Length && input[p] == '=')
        {
            // "key-=x": '-' is a name character in Hydra's grammar, so the key took it.
            key = key[..^1];
            p--;
        }

        if (kind == OverrideKind.Change && p + 1 < input.Length && input[p] is '+' or '-' && input[p + 1] == '=')
        {
            if (package is not null)
            {
                throw Error(p, "a list operator takes a key, not group@package");
            }

            kind = input[p] == '+' ? OverrideKind.Extend : OverrideKind.Remove;
            p++;
        }

        if (input[p] != '=')
        {
            throw Error(p, $"extraneous input '{input[p]}' expecting '='");
        }

        p++;
        while (p < input.Length && input[p] is ' ' or '\t')
        {
            p++;
        }

        var valueText = input[p..];
        OverrideValue value = valueText.Length == 0
            ? new ElementValue(ConfigScalar.Of("", SourcePosition.Override(argument, p + 1)))
            : new ValueParser(valueText, p, argument, Error, random ?? Random.Shared).ParseValue();
        if (value is Sweep && kind is OverrideKind.Extend or OverrideKind.Remove or OverrideKind.Delete)
        {
            throw Error(p, "a sweep cannot be used with '~', '+=' or '-='");
        }

        return new Override(kind, key, package, value, input, argument);
    }

    // key: packageOrGroup ('@' package)? with Fathom's [n] index suffixes, normalised to dotted segments.
    private static (string Key, string? Package) ParseKey(string s, ref int p, Func<int, string, Exception> error)
    {
        var start = p;
        var key = new StringBuilder();
        var slash = false;
        var dots = false;
        var special = false;
        while (true)
        {
            var segment = p;
            if (p < s.Length && (char.IsAsciiLetter(s[p]) || s[p] is '_' or '$'))
            {
                special |= s[p] == '$';
                p++;
                while (p < s.Length && (char.IsAsciiLetterOrDigit(s[p]) || s[p] is '_' or '-' or '$'))
                {
                    special |= s[p] == '$';
                    p++;
                }
            }
            else if (p < s.Length && char.IsAsciiDigit(s[p]))
            {
                special = true;
                p++;
                while (s[p - 1] != '0' && p < s.Length && (char.IsAsciiDigit(s[p]) || (s[p] == '_' && p + 1 < s.Length && char.IsAsciiDigit(s[p + 1]))))
                {
                    p++;
                }
            }
            else if (key.Length == 0 && p < s.Length && s[p] == '@')
            {
                break; // the empty package: "@pkg=…" is not a key; let the '@' branch report it.
            }
            else
            {
                throw error(p, p < s.Length ? $"no viable key at '{s[p]}'" : "missing a key");
            }

            key.Append(s, segment, p - segment);
            while (p < s.Length && s[p] == '[')
            {
                var close = s.IndexOf(']', p);
                if (close < 0 || !int.TryParse(s.AsSpan(p + 1, close - p - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    throw error(p, "an index is written [n] with a whole number n");
                }

                key.Append('.').Append(index.ToString(CultureInfo.InvariantCulture));
                dots = true;
                p = close + 1;
            }

            if (p < s.Length && s[p] is '.' or '/')
            {
                slash |= s[p] == '/';
                dots |= s[p] == '.';
                if (slash && (dots || special))
                {
                    throw error(p, "a group path is made of names separated by '/', without '.', '$' or indexes");
                }

                key.Append(s[p]);
                p++;
                continue;
            }

            break;
        }

        if (key.Length > 0 && !slash && !dots && char.IsAsciiDigit(key[0]))
        {
            throw error(start, "a key cannot be a bare number (address list elements as key.0 or key[0])");
        }

        string? package = null;
        if (p < s.Length && s[p] == '@')
        {
            p++;
            var begin = p;
            while (p < s.Length && (char.IsAsciiLetterOrDigit(s[p]) || s[p] is '_' or '-' or '$' or '.'))
            {
                p++;
            }

            package = s[begin..p];
            if (p < s.Length && s[p] == ':')
            {
                throw error(p, "'@source:destination' package renaming was removed in Hydra 1.1; write group@destination=option");
            }
        }

        return (key.ToString(), package);
    }
}
