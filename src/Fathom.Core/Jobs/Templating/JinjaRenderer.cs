using System.Globalization;
using System.Text;
using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// Renders parsed templates over a context of plain values (see <see cref="IoValues"/>), with Python's semantics where
/// Jinja borrows them: truthiness, <c>str()</c> of lists and booleans (<c>['a', 'b']</c>, <c>True</c>), <c>None</c>
/// printed as <c>None</c>, integer and true division. An undefined name is an error naming it and the nearest defined
/// name (Polyaxon's Jinja prints nothing for it, which turns a typo into a silently wrong command); <c>is defined</c> and
/// the <c>default</c> filter still test for it. Output and loops are bounded.
/// </summary>
internal sealed class JinjaRenderer
{
    /// <summary>The most text one rendering may produce.</summary>
    public const int MaxOutput = 1_000_000;

    private const int MaxIterations = 100_000;

    private readonly Dictionary<string, object?> _scope;
    private readonly StringBuilder _out = new();
    private int _iterations;

    private JinjaRenderer(IReadOnlyDictionary<string, object?> context) => _scope = new Dictionary<string, object?>(context, StringComparer.Ordinal);

    /// <summary>Renders <paramref name="nodes"/> with <paramref name="context"/>.</summary>
    public static string Render(IReadOnlyList<TemplateNode> nodes, IReadOnlyDictionary<string, object?> context)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(context);
        var renderer = new JinjaRenderer(context);
        renderer.Run(nodes);
        return renderer._out.ToString();
    }

    /// <summary>Evaluates one expression (a DAG condition, an <c>argFormat</c>'s value).</summary>
    public static object? Evaluate(Expr expression, IReadOnlyDictionary<string, object?> context) =>
        Strict(new JinjaRenderer(context).Eval(expression));

    private void Run(IReadOnlyList<TemplateNode> nodes)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    Write(text.Text);
                    break;
                case OutputNode output:
                    Write(IoValues.Python(Strict(Eval(output.Expression))));
                    break;
                case IfNode branch:
                    var taken = branch.Branches.FirstOrDefault(b => Truthy(Eval(b.Condition)));
                    if (taken.Body is not null)
                    {
                        Run(taken.Body);
                    }
                    else if (branch.Else is not null)
                    {
                        Run(branch.Else);
                    }

                    break;
                case ForNode loop:
                    Loop(loop);
                    break;
                case SetNode set:
                    _scope[set.Name] = Strict(Eval(set.Value));
                    break;
            }
        }
    }

    private void Loop(ForNode loop)
    {
        var items = Strict(Eval(loop.Items)) switch
        {
            List<object?> list => list,
            Dictionary<string, object?> dict => [.. dict.Keys],
            string s => [.. s.Select(c => (object?)c.ToString())],
            var other => throw new TemplateException($"cannot loop over {TypeName(other)}."),
        };
        if (items.Count == 0)
        {
            if (loop.Else is not null)
            {
                Run(loop.Else);
            }

            return;
        }

        var saved = loop.Targets.Append("loop").ToDictionary(t => t, t => _scope.TryGetValue(t, out var v) ? (true, v) : (false, null), StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (++_iterations > MaxIterations)
            {
                throw new TemplateException($"loops ran more than {MaxIterations:N0} times; refused.");
            }

            if (loop.Targets.Count == 1)
            {
                _scope[loop.Targets[0]] = items[i];
            }
            else if (items[i] is List<object?> tuple && tuple.Count == loop.Targets.Count)
            {
                for (var t = 0; t < tuple.Count; t++)
                {
                    _scope[loop.Targets[t]] = tuple[t];
                }
            }
            else
            {
                throw new TemplateException($"cannot unpack {IoValues.Repr(items[i])} into {string.Join(", ", loop.Targets)}.");
            }

            _scope["loop"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["index"] = (long)(i + 1),
                ["index0"] = (long)i,
                ["first"] = i == 0,
                ["last"] = i == items.Count - 1,
                ["length"] = (long)items.Count,
            };
            Run(loop.Body);
        }

        foreach (var (name, (had, value)) in saved)
        {
            if (had)
            {
                _scope[name] = value;
            }
            else
            {
                _scope.Remove(name);
            }
        }
    }

    private void Write(string text)
    {
        if (_out.Length + text.Length > MaxOutput)
        {
            throw new TemplateException($"renders to more than {MaxOutput:N0} characters; refused.");
        }

        _out.Append(text);
    }

    private object? Eval(Expr expression)
    {
        switch (expression)
        {
            case LiteralExpr literal:
                return literal.Value;
            case NameExpr name:
                return _scope.TryGetValue(name.Name, out var value) ? value : new Undefined(name.Name, _scope.Keys);
            case AttributeExpr attribute:
                return Member(Eval(attribute.Target), attribute.Name, Path(attribute.Target) + "." + attribute.Name);
            case IndexExpr index:
                var target = Eval(index.Target);
                var key = Strict(Eval(index.Index));
                return key switch
                {
                    string s => Member(target, s, $"{Path(index.Target)}['{s}']"),
                    long n => Item(Strict(target), n, Path(index.Target)),
                    _ => throw new TemplateException($"cannot index {Path(index.Target)} with {IoValues.Repr(key)}."),
                };
            case FilterExpr filter:
                var input = Eval(filter.Target);
                return JinjaFilters.Apply(filter.Name, input, [.. filter.Args.Select(a => Strict(Eval(a)))], filter.Named.ToDictionary(p => p.Key, p => Strict(Eval(p.Value)), StringComparer.Ordinal));
            case TestExpr test:
                var result = JinjaFilters.Test(test.Name, Eval(test.Target), [.. test.Args.Select(a => Strict(Eval(a)))]);
                return test.Negated ? !result : result;
            case CallExpr call:
                return Call(call);
            case UnaryExpr { Op: "not" } not:
                return !Truthy(Eval(not.Operand));
            case UnaryExpr { Op: "-" } minus:
                return Strict(Eval(minus.Operand)) switch
                {
                    long l => (object)(-l),
                    double d => -d,
                    var other => throw new TemplateException($"cannot negate {TypeName(other)}."),
                };
            case BinaryExpr { Op: "or" } or:
                var left = Eval(or.Left);
                return Truthy(left) ? left : Eval(or.Right);
            case BinaryExpr { Op: "and" } and:
                var first = Eval(and.Left);
                return Truthy(first) ? Eval(and.Right) : first;
            case BinaryExpr binary:
                return JinjaOperators.Binary(binary.Op, Strict(Eval(binary.Left)), Strict(Eval(binary.Right)));
            case ConditionalExpr conditional:
                return Truthy(Eval(conditional.Condition)) ? Eval(conditional.Then) : conditional.Else is null ? "" : Eval(conditional.Else);
            case ListExpr list:
                return list.Items.Select(i => Strict(Eval(i))).ToList();
            case DictExpr dict:
                return dict.Items.ToDictionary(i => Strict(Eval(i.Key)) as string ?? throw new TemplateException("dictionary keys must be strings."), i => Strict(Eval(i.Value)), StringComparer.Ordinal);
            default:
                throw new InvalidOperationException($"Unknown expression {expression}.");
        }
    }

    private object? Call(CallExpr call)
    {
        var args = call.Args.Select(a => Strict(Eval(a))).ToList();
        if (call.Target is NameExpr { Name: "range" } && !_scope.ContainsKey("range"))
        {
            var numbers = args.Select(a => a is long l ? l : throw new TemplateException("range() takes integers.")).ToList();
            var (start, stop, step) = numbers.Count switch
            {
                1 => (0L, numbers[0], 1L),
                2 => (numbers[0], numbers[1], 1L),
                3 => (numbers[0], numbers[1], numbers[2]),
                _ => throw new TemplateException("range() takes 1 to 3 integers."),
            };
            if (step == 0 || Math.Abs((stop - start) / step) > MaxIterations)
            {
                throw new TemplateException($"range({string.Join(", ", numbers)}) is empty-stepped or longer than {MaxIterations:N0}.");
            }

            var values = new List<object?>();
            for (var i = start; step > 0 ? i < stop : i > stop; i += step)
            {
                values.Add(i);
            }

            return values;
        }

        if (call.Target is AttributeExpr method)
        {
            var target = Strict(Eval(method.Target));
            return JinjaOperators.Method(target, method.Name, args);
        }

        throw new TemplateException($"{Path(call.Target)} is not a function Fathom's templates know (range, and methods such as items(), keys(), lower(), split()).");
    }

    private static object? Member(object? target, string name, string path)
    {
        switch (target)
        {
            case Undefined undefined:
                throw undefined.Error();
            case Dictionary<string, object?> dict:
                return dict.TryGetValue(name, out var value) ? value : new Undefined(path, dict.Keys.Select(k => path[..^name.Length] + k));
            default:
                return new Undefined(path, []);
        }
    }

    private static object? Item(object? target, long index, string path)
    {
        var list = target switch
        {
            List<object?> l => l,
            string s => [.. s.Select(c => (object?)c.ToString())],
            _ => throw new TemplateException($"{path} is {TypeName(target)}, which cannot be indexed by a number."),
        };
        var i = index < 0 ? list.Count + index : index;
        return i >= 0 && i < list.Count ? list[(int)i] : throw new TemplateException($"{path}[{index}] is out of range ({list.Count} items).");
    }

    /// <summary>The value, or the error of an undefined one.</summary>
    public static object? Strict(object? value) => value is Undefined undefined ? throw undefined.Error() : value;

    /// <summary>Python's truthiness; an undefined value is an error.</summary>
    public static bool Truthy(object? value) => Strict(value) switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        Dictionary<string, object?> d => d.Count > 0,
        _ => true,
    };

    public static string TypeName(object? value) => value switch
    {
        null => "None",
        bool => "a boolean",
        long => "an integer",
        double => "a float",
        string => "a string",
        List<object?> => "a list",
        Dictionary<string, object?> => "a mapping",
        _ => value.GetType().Name,
    };

    private static string Path(Expr expression) => expression switch
    {
        NameExpr n => n.Name,
        AttributeExpr a => Path(a.Target) + "." + a.Name,
        IndexExpr { Index: LiteralExpr { Value: string s } } i => $"{Path(i.Target)}['{s}']",
        IndexExpr { Index: LiteralExpr { Value: long n } } i => $"{Path(i.Target)}[{n.ToString(CultureInfo.InvariantCulture)}]",
        _ => "the value",
    };

    /// <summary>A name the context does not define; using it is an error that names it and the nearest defined name.</summary>
    internal sealed class Undefined(string name, IEnumerable<string> candidates)
    {
        public string Name { get; } = name;

        public TemplateException Error()
        {
            var nearest = ConfigBinder.Nearest(Name, candidates.Where(c => !c.StartsWith('_')));
            return new TemplateException($"'{Name}' is undefined{(nearest is null ? "" : $"; did you mean '{nearest}'?")}");
        }
    }
}
