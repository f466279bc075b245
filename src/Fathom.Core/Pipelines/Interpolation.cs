using System.Text;
using System.Text.RegularExpressions;
using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// DVC's <c>${…}</c> templating: a value that is exactly one expression keeps the looked-up type; inside a longer
/// string values are written as Python's <c>str()</c>; in <c>cmd</c> a dict is unpacked into <c>--key value</c>
/// arguments; <c>\${…}</c> is a literal.
/// </summary>
internal static partial class Interpolation
{
    [GeneratedRegex(@"(?<!\\)\$\{(?<inner>.*?)\}")]
    private static partial Regex Expression();

    [GeneratedRegex(@"^[\w@%+=:,./-]+$")]
    private static partial Regex ShellSafe();

    public static bool HasExpression(string text) => Expression().IsMatch(text);

    /// <summary>Resolves the expressions of one scalar; <paramref name="where"/> (file:line: field) prefixes errors.</summary>
    public static object? Resolve(string text, TemplateContext context, bool isCmd, string where)
    {
        var matches = Expression().Matches(text);
        if (matches.Count == 0)
        {
            return text.Replace("\\${", "${", StringComparison.Ordinal);
        }

        if (matches.Count == 1 && matches[0].Index == 0 && matches[0].Length == text.Length)
        {
            return Lookup(matches[0].Groups["inner"].Value, context, where);
        }

        var sb = new StringBuilder();
        var last = 0;
        foreach (Match m in matches)
        {
            sb.Append(text.AsSpan(last, m.Index - last));
            var value = Lookup(m.Groups["inner"].Value, context, where);
            sb.Append(value switch
            {
                Dictionary<string, object?> map when isCmd => UnpackArguments(map),
                Dictionary<string, object?> => throw new DataException(DataErrorKind.InvalidInput, $"{where}: cannot interpolate data of type 'dict' ('${{{m.Groups["inner"].Value}}}') into a string."),
                List<object?> => throw new DataException(DataErrorKind.InvalidInput, $"{where}: cannot interpolate data of type 'list' ('${{{m.Groups["inner"].Value}}}') into a string."),
                _ => PipelineValues.ToText(value),
            });
            last = m.Index + m.Length;
        }

        sb.Append(text.AsSpan(last));
        return sb.ToString().Replace("\\${", "${", StringComparison.Ordinal);
    }

    private static object? Lookup(string expression, TemplateContext context, string where) =>
        context.TryResolve(expression, out var value)
            ? value
            : throw new DataException(DataErrorKind.InvalidInput, $"{where}: could not find '{expression.Trim()}' (not in params.yaml, vars, or the foreach/matrix item).");

    /// <summary>A dict in <c>cmd</c> becomes <c>--k v</c> (strings shell-quoted), <c>--flag</c> for true, <c>--k a b</c> for lists, nested keys dotted.</summary>
    private static string UnpackArguments(Dictionary<string, object?> map)
    {
        var args = new List<string>();
        Flatten(map, "", args);
        return string.Join(' ', args);
    }

    private static void Flatten(Dictionary<string, object?> map, string prefix, List<string> args)
    {
        foreach (var (key, value) in map)
        {
            var name = prefix + key;
            switch (value)
            {
                case Dictionary<string, object?> nested:
                    Flatten(nested, name + ".", args);
                    break;
                case true:
                    args.Add("--" + name);
                    break;
                case false:
                    break;
                case List<object?> list:
                    args.Add("--" + name + (list.Count == 0 ? "" : " " + string.Join(' ', list.Select(Arg))));
                    break;
                default:
                    args.Add("--" + name + " " + Arg(value));
                    break;
            }
        }
    }

    private static string Arg(object? value) => value is string s ? ShellQuote(s) : PipelineValues.ToText(value);

    /// <summary>Python's <c>shlex.quote</c>.</summary>
    public static string ShellQuote(string s) =>
        s.Length == 0 ? "''" : ShellSafe().IsMatch(s) ? s : "'" + s.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";
}
