using System.Globalization;

namespace Fathom.Jobs;

/// <summary>Jinja's binary operators and the few methods templates call, with Python's semantics.</summary>
internal static class JinjaOperators
{
    public static object? Binary(string op, object? left, object? right)
    {
        switch (op)
        {
            case "~":
                return IoValues.Python(left) + IoValues.Python(right);
            case "==":
                return Same(left, right);
            case "!=":
                return !Same(left, right);
            case "in":
                return right switch
                {
                    string s => left is string sub ? s.Contains(sub, StringComparison.Ordinal) : throw new TemplateException($"'in <string>' needs a string on the left, not {JinjaRenderer.TypeName(left)}."),
                    List<object?> l => l.Any(item => Same(item, left)),
                    Dictionary<string, object?> d => left is string key && d.ContainsKey(key),
                    _ => throw new TemplateException($"'in' needs a string, list or mapping on the right, not {JinjaRenderer.TypeName(right)}."),
                };
            case "<" or ">" or "<=" or ">=":
                var order = Compare(left, right);
                return op switch { "<" => order < 0, ">" => order > 0, "<=" => order <= 0, _ => order >= 0 };
            case "+" when left is string a && right is string b:
                return a + b;
            case "+" when left is List<object?> a && right is List<object?> b:
                return a.Concat(b).ToList();
            case "*" when left is string s && right is long n:
                return string.Concat(Enumerable.Repeat(s, (int)Math.Clamp(n, 0, JinjaRenderer.MaxOutput / Math.Max(1, s.Length))));
            default:
                return Arithmetic(op, left, right);
        }
    }

    public static object? Method(object? target, string name, List<object?> args)
    {
        switch (target, name, args.Count)
        {
            case (Dictionary<string, object?> d, "items", 0):
                return d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList();
            case (Dictionary<string, object?> d, "keys", 0):
                return d.Keys.Select(k => (object?)k).ToList();
            case (Dictionary<string, object?> d, "values", 0):
                return d.Values.ToList();
            case (Dictionary<string, object?> d, "get", 1 or 2):
                return args[0] is string key && d.TryGetValue(key, out var value) ? value : args.Count == 2 ? args[1] : null;
            case (string s, "lower", 0):
                return s.ToLowerInvariant();
            case (string s, "upper", 0):
                return s.ToUpperInvariant();
            case (string s, "strip", 0):
                return s.Trim();
            case (string s, "split", 0):
                return s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(p => (object?)p).ToList();
            case (string s, "split", 1) when args[0] is string separator && separator.Length > 0:
                return s.Split(separator).Select(p => (object?)p).ToList();
            case (string s, "replace", 2) when args[0] is string from && from.Length > 0 && args[1] is string to:
                return s.Replace(from, to, StringComparison.Ordinal);
            case (string s, "startswith", 1) when args[0] is string prefix:
                return s.StartsWith(prefix, StringComparison.Ordinal);
            case (string s, "endswith", 1) when args[0] is string suffix:
                return s.EndsWith(suffix, StringComparison.Ordinal);
            default:
                throw new TemplateException($"{JinjaRenderer.TypeName(target)} has no method {name}() taking {args.Count} argument(s) in Fathom's templates.");
        }
    }

    private static object Arithmetic(string op, object? left, object? right)
    {
        if (left is not (long or double) || right is not (long or double))
        {
            throw new TemplateException($"cannot apply '{op}' to {JinjaRenderer.TypeName(left)} and {JinjaRenderer.TypeName(right)}.");
        }

        if (left is long a && right is long b && op != "/")
        {
            return op switch
            {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "//" => b == 0 ? throw DivideByZero() : (long)Math.Floor((double)a / b),
                "%" => b == 0 ? throw DivideByZero() : ((a % b) + b) % b,
                _ => throw new TemplateException($"unknown operator '{op}'."),
            };
        }

        var x = Convert.ToDouble(left, CultureInfo.InvariantCulture);
        var y = Convert.ToDouble(right, CultureInfo.InvariantCulture);
        return op switch
        {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            "/" => y == 0 ? throw DivideByZero() : x / y,
            "//" => y == 0 ? throw DivideByZero() : Math.Floor(x / y),
            "%" => y == 0 ? throw DivideByZero() : x - (y * Math.Floor(x / y)),
            _ => throw new TemplateException($"unknown operator '{op}'."),
        };
    }

    private static TemplateException DivideByZero() => new("division by zero.");

    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (bool x, bool y) => x == y,
        (long or double, long or double) when a is not bool && b is not bool => Convert.ToDouble(a, CultureInfo.InvariantCulture) == Convert.ToDouble(b, CultureInfo.InvariantCulture),
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Same(p.First, p.Second)),
        (Dictionary<string, object?> x, Dictionary<string, object?> y) => x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && Same(p.Value, v)),
        _ => false,
    };

    private static int Compare(object? a, object? b) => (a, b) switch
    {
        (long or double, long or double) => Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => throw new TemplateException($"cannot compare {JinjaRenderer.TypeName(a)} with {JinjaRenderer.TypeName(b)}."),
    };
}
