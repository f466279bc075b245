using System.Collections.Immutable;
using System.Globalization;

namespace Fathom.Config;

/// <summary>
/// The functions of Hydra's override grammar (<c>grammar_functions.py</c>): <c>choice</c>, <c>range</c>,
/// <c>interval</c>, <c>tag</c>, <c>glob</c>, <c>sort</c>, <c>shuffle</c> and the casts <c>int</c>, <c>float</c>,
/// <c>str</c>, <c>bool</c>, <c>json_str</c>, which apply through lists, dict values and sweeps. Errors are worded as
/// Hydra's (<c>ValueError while evaluating 'bool(yes)': Cannot cast 'yes' to bool</c>).
/// </summary>
internal static class OverrideFunctions
{
    public sealed record Argument(string? Name, OverrideValue Value, int Column);

    public static readonly ImmutableArray<string> Names = ["bool", "choice", "float", "glob", "int", "interval", "json_str", "range", "shuffle", "sort", "str", "tag"];

    public static ConfigNode AsElement(OverrideValue value, string where, Func<int, string, Exception> error, int column) => value switch
    {
        ElementValue e => e.Node,
        _ => throw error(column, $"a sweep cannot be nested in {where}"),
    };

    public static OverrideValue Call(string name, List<Argument> args, int column, SourcePosition source, Func<int, string, Exception> error, Random random)
    {
        var call = $"{name}(…)";
        try
        {
            return name switch
            {
                "choice" => Choice(args),
                "range" => Range(args),
                "interval" => Interval(args),
                "tag" => Tag(args),
                "glob" => Glob(args),
                "sort" => Sort(args),
                "shuffle" => Shuffle(args, random),
                "int" or "float" or "str" or "bool" or "json_str" => Cast(name, CastInput(args, source), source),
                _ => throw error(column, $"Unknown function '{name}'. Available: {string.Join(", ", Names)}"),
            };
        }
        catch (FunctionException e)
        {
            throw error(column, $"{e.Kind} while evaluating '{call}': {e.Message}");
        }
    }

    private sealed class FunctionException(string kind, string message) : Exception(message)
    {
        public string Kind { get; } = kind;
    }

    private static FunctionException ValueError(string message) => new("ValueError", message);

    private static FunctionException TypeError(string message) => new("TypeError", message);

    private static ChoiceSweep Choice(List<Argument> args)
    {
        if (args.Count == 0)
        {
            throw ValueError("empty choice is not legal");
        }

        if (args.Any(a => a.Name is not null))
        {
            throw TypeError("choice() takes no keyword arguments");
        }

        if (args is [{ Value: ChoiceSweep only }])
        {
            return only.SimpleForm ? only with { SimpleForm = false } : throw ValueError("nesting choices is not supported");
        }

        return new ChoiceSweep([.. args.Select(a => a.Value is ElementValue e ? e.Node : throw ValueError("nesting choices is not supported"))], SimpleForm: false);
    }

    private static (ConfigScalar? Value, bool Given) Named(List<Argument> args, string name, int position)
    {
        var named = args.FirstOrDefault(a => a.Name == name);
        var positional = args.Where(a => a.Name is null).ElementAtOrDefault(position);
        if (named is not null && positional is not null)
        {
            throw TypeError($"got multiple values for argument '{name}'");
        }

        var arg = named ?? positional;
        return arg is null ? (null, false) : (arg.Value is ElementValue { Node: ConfigScalar s } ? s : throw TypeError($"mismatch type argument {name}"), true);
    }

    private static void OnlyNames(List<Argument> args, int positional, params string[] names)
    {
        if (args.Count(a => a.Name is null) > positional)
        {
            throw TypeError($"takes at most {positional} positional arguments");
        }

        if (args.FirstOrDefault(a => a.Name is not null && !names.Contains(a.Name)) is { } unknown)
        {
            throw TypeError($"got an unexpected keyword argument '{unknown.Name}'");
        }
    }

    private static ConfigScalar Number(ConfigScalar? value, string name) =>
        value is { Kind: ScalarKind.Int or ScalarKind.Float } ? value : throw TypeError($"mismatch type argument {name}: expected int or float, got {value?.Describe() ?? "None"}");

    private static RangeSweep Range(List<Argument> args)
    {
        OnlyNames(args, 3, "start", "stop", "step");
        var (start, _) = Named(args, "start", 0);
        var (stop, hasStop) = Named(args, "stop", 1);
        var (step, hasStep) = Named(args, "step", 2);
        if (start is null)
        {
            throw TypeError("range() missing required argument 'start'");
        }

        if (!hasStop || stop is { Kind: ScalarKind.Null })
        {
            (start, stop) = (ConfigScalar.Of(0L, start.Source), start);
        }

        step = hasStep ? step : ConfigScalar.Of(1L, start.Source);
        var isFloat = new[] { Number(start, "start"), Number(stop, "stop"), Number(step, "step") }.Any(n => n.Kind == ScalarKind.Float);
        return new RangeSweep(start.AsDouble, stop!.AsDouble, step!.AsDouble, isFloat);
    }

    private static IntervalSweep Interval(List<Argument> args)
    {
        OnlyNames(args, 2, "start", "end");
        var (start, _) = Named(args, "start", 0);
        var (end, _) = Named(args, "end", 1);
        return new IntervalSweep(Number(start, "start").AsDouble, Number(end, "end").AsDouble, IsInt: false);
    }

    private static Sweep Tag(List<Argument> args)
    {
        var sweepArg = args.FirstOrDefault(a => a.Name == "sweep");
        var positional = args.Where(a => a.Name is null).ToList();
        if (positional.Count + (sweepArg is null ? 0 : 1) < 1)
        {
            throw ValueError("Not enough arguments to tag, must take at least a sweep");
        }

        var last = sweepArg ?? positional[^1];
        var tagArgs = sweepArg is null ? positional[..^1] : positional;
        if (last.Value is not Sweep sweep)
        {
            var got = last.Value is ElementValue { Node: ConfigScalar s } ? PythonType(s) : "list";
            throw ValueError($"Last argument to tag() must be a choice(), range() or interval(), got {got}");
        }

        var tags = tagArgs.Select(a => a.Value is ElementValue { Node: ConfigScalar { Kind: ScalarKind.String } s }
            ? (string)s.Value!
            : throw ValueError($"tag arguments type must be string, got {(a.Value is ElementValue { Node: ConfigScalar t } ? PythonType(t) : "list")}"));
        return sweep with { Tags = [.. tags] };
    }

    private static GlobSweep Glob(List<Argument> args)
    {
        OnlyNames(args, 2, "include", "exclude");
        static ImmutableArray<string> Patterns(Argument? arg) => arg?.Value switch
        {
            null => [],
            ElementValue { Node: ConfigScalar { Kind: ScalarKind.String } s } => [(string)s.Value!],
            ElementValue { Node: ConfigList l } => [.. l.Items.Select(i => i is ConfigScalar { Kind: ScalarKind.String } s ? (string)s.Value! : throw TypeError("glob patterns must be strings"))],
            _ => throw TypeError("glob patterns must be a string or a list of strings"),
        };
        var positional = args.Where(a => a.Name is null).ToList();
        var include = args.FirstOrDefault(a => a.Name == "include") ?? positional.ElementAtOrDefault(0);
        var exclude = args.FirstOrDefault(a => a.Name == "exclude") ?? positional.ElementAtOrDefault(1);
        return include is null ? throw TypeError("glob() missing required argument 'include'") : new GlobSweep(Patterns(include), Patterns(exclude));
    }

    private static bool ReverseArg(List<Argument> args) => args.FirstOrDefault(a => a.Name == "reverse") is { } r
        ? r.Value is ElementValue { Node: ConfigScalar { Kind: ScalarKind.Bool } b } ? (bool)b.Value! : throw TypeError("mismatch type argument reverse: expected bool")
        : false;

    private static OverrideValue Sort(List<Argument> args)
    {
        OnlyNames(args, int.MaxValue, "sweep", "list", "reverse");
        var reverse = ReverseArg(args);
        var input = args.FirstOrDefault(a => a.Name is "sweep" or "list")?.Value;
        var positional = args.Where(a => a.Name is null).Select(a => a.Value).ToList();
        input ??= positional.Count switch
        {
            0 => throw ValueError("empty sort input"),
            1 => positional[0],
            _ => new ChoiceSweep([.. positional.Select(p => p is ElementValue { Node: ConfigScalar s } ? s : throw TypeError("Invalid arguments"))], SimpleForm: true),
        };
        return input switch
        {
            ChoiceSweep c => c with { Choices = Sorted(c.Choices, reverse) },
            RangeSweep r => SortRange(r, reverse),
            ElementValue { Node: ConfigList l } => new ElementValue(l with { Items = Sorted(l.Items, reverse) }),
            ElementValue e => e,
            _ => throw TypeError("Invalid arguments"),
        };
    }

    private static ImmutableArray<ConfigNode> Sorted(ImmutableArray<ConfigNode> items, bool reverse)
    {
        if (items.Any(i => i is not ConfigScalar { Kind: not ScalarKind.Null }))
        {
            throw TypeError("'<' not supported between these values");
        }

        var numbers = items.All(i => i is ConfigScalar { Kind: ScalarKind.Int or ScalarKind.Float or ScalarKind.Bool });
        var strings = items.All(i => i is ConfigScalar { Kind: ScalarKind.String });
        if (!numbers && !strings)
        {
            throw TypeError("'<' not supported between instances of 'str' and a number");
        }

        Comparison<ConfigNode> compare = numbers
            ? (a, b) => Numeric((ConfigScalar)a).CompareTo(Numeric((ConfigScalar)b))
            : (a, b) => string.CompareOrdinal((string)((ConfigScalar)a).Value!, (string)((ConfigScalar)b).Value!);
        var sorted = items.ToList();
        // List.Sort is not stable; Python's sorted is. Order by (value, original index).
        var indexed = sorted.Select((n, i) => (n, i)).ToList();
        indexed.Sort((x, y) => compare(x.n, y.n) is var c and not 0 ? c : x.i.CompareTo(y.i));
        var result = indexed.Select(x => x.n).ToList();
        if (reverse)
        {
            // Python's sorted(reverse=True) keeps equal elements in their original order.
            indexed.Sort((x, y) => compare(y.n, x.n) is var c and not 0 ? c : x.i.CompareTo(y.i));
            result = [.. indexed.Select(x => x.n)];
        }

        return [.. result];
    }

    private static double Numeric(ConfigScalar s) => s.Kind == ScalarKind.Bool ? ((bool)s.Value! ? 1 : 0) : s.AsDouble;

    private static RangeSweep SortRange(RangeSweep range, bool reverse)
    {
        if ((range.Step > 0) != reverse)
        {
            return range;
        }

        var values = SweepValues.RangeValues(range);
        if (values.Count <= 1)
        {
            return range;
        }

        var first = values[0].AsDouble;
        var last = values[^1].AsDouble;
        var step = -range.Step;
        return range with { Start = last, Step = step, Stop = range.IsFloat ? first + (step / 2) : first + step };
    }

    private static OverrideValue Shuffle(List<Argument> args, Random random)
    {
        OnlyNames(args, int.MaxValue, "sweep", "list");
        var input = args.FirstOrDefault(a => a.Name is "sweep" or "list")?.Value;
        var positional = args.Where(a => a.Name is null).Select(a => a.Value).ToList();
        if (input is null && positional.Count != 1)
        {
            return new ChoiceSweep([.. positional.Select(p => p is ElementValue e ? e.Node : throw TypeError("Invalid arguments"))], SimpleForm: true) { Shuffle = true };
        }

        input ??= positional[0];
        switch (input)
        {
            case Sweep sweep and (ChoiceSweep or RangeSweep):
                return sweep with { Shuffle = true };
            case ElementValue { Node: ConfigList list }:
                var items = list.Items.ToArray();
                random.Shuffle(items);
                return new ElementValue(list with { Items = [.. items] });
            case ElementValue e:
                return new ElementValue(new ConfigList([e.Node], e.Node.Source));
            default:
                throw TypeError("shuffle does not support interval");
        }
    }

    private static OverrideValue CastInput(List<Argument> args, SourcePosition source)
    {
        var value = args.FirstOrDefault(a => a.Name == "value");
        var positional = args.Where(a => a.Name is null).ToList();
        if (args.FirstOrDefault(a => a.Name is not null and not "value") is { } unknown)
        {
            throw TypeError($"got an unexpected keyword argument '{unknown.Name}'");
        }

        if (value is not null && positional.Count > 0)
        {
            throw TypeError("cannot use both position and named arguments");
        }

        return value?.Value ?? positional.Count switch
        {
            0 => throw TypeError("No positional args or value specified"),
            1 => positional[0].Value,
            _ => new ChoiceSweep([.. positional.Select(p => p.Value is ElementValue e ? e.Node : throw TypeError("a sweep cannot be a choice element"))], SimpleForm: true) { },
        };
    }

    private static OverrideValue Cast(string function, OverrideValue value, SourcePosition source) => value switch
    {
        ElementValue e => new ElementValue(function == "json_str" ? ConfigScalar.Of(PythonJson(e.Node), e.Node.Source) : CastNode(function, e.Node)),
        ChoiceSweep c => c with { Choices = [.. c.Choices.Select(n => function == "json_str" ? ConfigScalar.Of(PythonJson(n), n.Source) : CastNode(function, n))] },
        RangeSweep r => function switch
        {
            "int" => new RangeSweep(Math.Truncate(r.Start), Math.Truncate(r.Stop), Math.Truncate(r.Step), IsFloat: false) { Tags = r.Tags, Shuffle = r.Shuffle },
            "float" => r with { IsFloat = true },
            _ => throw ValueError("Range can only be cast to int or float"),
        },
        IntervalSweep i => function switch
        {
            "int" => i with { Start = Math.Truncate(i.Start), End = Math.Truncate(i.End), IsInt = true },
            "float" => i with { IsInt = false },
            "json_str" => throw ValueError("Intervals cannot be cast to json_str"),
            _ => throw ValueError($"Intervals cannot be cast to {function}"),
        },
        _ => throw TypeError($"{function}() cannot cast a glob"),
    };

    private static ConfigNode CastNode(string function, ConfigNode node) => node switch
    {
        ConfigList l => l with { Items = [.. l.Items.Select(i => CastNode(function, i))] },
        ConfigMap m => m with { Entries = [.. m.Entries.Select(e => e with { Value = CastNode(function, e.Value) })] },
        ConfigScalar s => CastScalar(function, s),
        _ => node,
    };

    private static ConfigScalar CastScalar(string function, ConfigScalar s)
    {
        if (s.Kind == ScalarKind.Null)
        {
            throw TypeError($"{function}() argument must be a string or a number, not 'NoneType'");
        }

        var text = s.Kind == ScalarKind.String ? ((string)s.Value!).Trim() : null;
        switch (function)
        {
            case "int":
                return s.Kind switch
                {
                    ScalarKind.Int => s,
                    ScalarKind.Bool => ConfigScalar.Of((bool)s.Value! ? 1L : 0L, s.Source),
                    ScalarKind.Float => double.IsFinite(s.AsDouble) ? ConfigScalar.Of((long)Math.Truncate(s.AsDouble), s.Source) : throw ValueError($"cannot convert float {ConfigScalar.FormatFloat(s.AsDouble)} to integer"),
                    _ => long.TryParse(text!.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) && !text.StartsWith('_') && !text.EndsWith('_')
                        ? ConfigScalar.Of(i, s.Source)
                        : throw ValueError($"invalid literal for int() with base 10: '{s.Value}'"),
                };
            case "float":
                return s.Kind switch
                {
                    ScalarKind.Float => s,
                    ScalarKind.Int => ConfigScalar.Of(s.AsDouble, s.Source),
                    ScalarKind.Bool => ConfigScalar.Of((bool)s.Value! ? 1.0 : 0.0, s.Source),
                    _ => PythonFloat(text!) is { } f ? ConfigScalar.Of(f, s.Source) : throw ValueError($"could not convert string to float: '{s.Value}'"),
                };
            case "str":
                return ConfigScalar.Of(s.Kind == ScalarKind.Bool ? ((bool)s.Value! ? "true" : "false") : s.Text, s.Source);
            default: // bool
                return s.Kind switch
                {
                    ScalarKind.Bool => s,
                    ScalarKind.Int or ScalarKind.Float => ConfigScalar.Of(s.AsDouble != 0, s.Source),
                    _ => text!.ToLowerInvariant() switch
                    {
                        "true" => ConfigScalar.Of(true, s.Source),
                        "false" => ConfigScalar.Of(false, s.Source),
                        _ => throw ValueError($"Cannot cast '{s.Value}' to bool"),
                    },
                };
        }
    }

    private static double? PythonFloat(string text)
    {
        var t = text.Replace("_", "", StringComparison.Ordinal);
        var unsigned = t.TrimStart('+', '-');
        if (unsigned.ToLowerInvariant() is "inf" or "infinity" or "nan")
        {
            return ValueParser.ParseFloat(t.Replace("infinity", "inf", StringComparison.OrdinalIgnoreCase));
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static string PythonType(ConfigScalar s) => s.Kind switch
    {
        ScalarKind.Null => "NoneType",
        ScalarKind.Bool => "bool",
        ScalarKind.Int => "int",
        ScalarKind.Float => "float",
        _ => "str",
    };

    /// <summary><c>json.dumps</c> with Python's default separators (<c>", "</c>, <c>": "</c>).</summary>
    public static string PythonJson(ConfigNode node) => node switch
    {
        ConfigScalar { Kind: ScalarKind.Null } => "null",
        ConfigScalar { Kind: ScalarKind.Bool } b => (bool)b.Value! ? "true" : "false",
        ConfigScalar { Kind: ScalarKind.Int } i => ((long)i.Value!).ToString(CultureInfo.InvariantCulture),
        ConfigScalar { Kind: ScalarKind.Float } f => double.IsNaN(f.AsDouble) ? "NaN" : double.IsInfinity(f.AsDouble) ? (f.AsDouble > 0 ? "Infinity" : "-Infinity") : ConfigScalar.FormatFloat(f.AsDouble),
        ConfigScalar s => JsonString((string)s.Value!),
        ConfigList l => "[" + string.Join(", ", l.Items.Select(PythonJson)) + "]",
        ConfigMap m => "{" + string.Join(", ", m.Entries.Select(e => JsonString(e.Key) + ": " + PythonJson(e.Value))) + "}",
        _ => "null",
    };

    // Python's json.dumps escapes every non-ASCII character (ensure_ascii=True).
    private static string JsonString(string value)
    {
        var text = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                _ when c < 0x20 || c > 0x7e => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }
}
