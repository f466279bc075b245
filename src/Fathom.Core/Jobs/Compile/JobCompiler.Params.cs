using Fathom.Config;

namespace Fathom.Jobs;

internal static partial class JobCompiler
{
    /// <summary>
    /// Every IO's value: a <c>-P</c> value, else the operation's param, else the declared default; parsed by the IO's
    /// type and checked against its validation. All problems are reported together: unknown param names (with the
    /// nearest input), values that do not parse, and every required input without a value.
    /// </summary>
    public static Dictionary<string, object?> ResolveParams(
        ComponentSpec component, OperationSpec? operation, IReadOnlyDictionary<string, string> cliParams, IReadOnlyDictionary<string, object?>? refValues = null)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(cliParams);
        var problems = new List<string>();
        var names = component.Io.Select(i => i.Name).ToList();
        foreach (var name in cliParams.Keys.Where(n => !names.Contains(n)))
        {
            problems.Add($"-P {name}: {component.File} declares no input or output named '{name}'{Nearest(name, names)}.");
        }

        foreach (var (name, param) in operation?.Params ?? new Dictionary<string, OperationParam>())
        {
            if (param.Ref is not null && refValues?.ContainsKey(name) == true)
            {
                continue;
            }

            if (param.Ref is not null)
            {
                problems.Add($"{param.Source}: params.{name}: ref '{param.Ref}' reads another run's values, which only a DAG run on a Fathom server resolves; give a value.");
            }
            else if (!names.Contains(name) && !param.ContextOnly)
            {
                problems.Add($"{param.Source}: params.{name}: Received unexpected param `{name}`; the component declares no such input or output{Nearest(name, names)} (set contextOnly: true to pass it to templates only).");
            }
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var missing = new List<IoSpec>();
        foreach (var io in component.Io)
        {
            try
            {
                if (cliParams.TryGetValue(io.Name, out var raw))
                {
                    values[io.Name] = Checked(io, IoValues.Coerce(io, raw));
                }
                else if (refValues is not null && refValues.TryGetValue(io.Name, out var referenced))
                {
                    values[io.Name] = Checked(io, IoValues.Coerce(io, referenced));
                }
                else if (operation?.Params.TryGetValue(io.Name, out var param) == true && param.Ref is null)
                {
                    values[io.Name] = param.Value is null ? Checked(io, IoValues.Coerce(io, (object?)null)) : Checked(io, IoValues.Coerce(io, param.Value));
                }
                else if (io.HasValue || io.IsOptional || io.IsOutput)
                {
                    values[io.Name] = io.Value is null or ConfigScalar { Kind: ScalarKind.Null } ? null : IoValues.Coerce(io, io.Value);
                }
                else
                {
                    missing.Add(io);
                }
            }
            catch (IoValueException e)
            {
                var where = cliParams.ContainsKey(io.Name) ? $"-P {io.Name}" : operation?.Params.GetValueOrDefault(io.Name)?.Source.ToString() ?? io.Source.ToString();
                problems.Add($"{where}: {e.Message}");
            }
        }

        if (missing.Count > 0)
        {
            var list = string.Join(", ", missing.Select(m => m.Name));
            var usage = string.Join(" ", missing.Select(m => $"-P {m.Name}={Example(m)}"));
            problems.Add($"{component.File}: missing required input{(missing.Count > 1 ? "s" : "")} {list}: pass {(missing.Count > 1 ? "them" : "it")} with {usage}.");
        }

        // Params given only to templates (contextOnly) are passed as they are.
        foreach (var (name, param) in operation?.Params ?? new Dictionary<string, OperationParam>())
        {
            if (param.ContextOnly && !names.Contains(name) && param.Value is not null)
            {
                values[name] = IoValues.FromNode(param.Value);
            }
        }

        return problems.Count switch
        {
            0 => values,
            _ => throw new ConfigException(string.Join(Environment.NewLine, problems)),
        };
    }

    private static object? Checked(IoSpec io, object? value)
    {
        IoValues.Check(io, value);
        return value;
    }

    private static string Example(IoSpec io) => (io.Type, io.IsList) switch
    {
        (_, true) or ("list", _) => "'[\"a\", \"b\"]'",
        ("int", _) => "1",
        ("float", _) => "0.1",
        ("bool", _) => "true",
        ("dict", _) => "'{\"k\": \"v\"}'",
        _ => "VALUE",
    };

    private static string Nearest(string name, IEnumerable<string> names) =>
        ConfigBinder.Nearest(name, names) is { } nearest ? $"; did you mean '{nearest}'?" : "";

    /// <summary>
    /// The template context: each IO by name at the top level (Polyaxon's display value: a flag is <c>--name</c> or empty,
    /// a <c>str</c> is text, other types keep their type, so a list renders as <c>['a', 'b']</c> and a bool as <c>True</c>),
    /// <c>params.NAME.{value, type, connection, as_str, as_arg}</c>, <c>params.as_args</c> and <c>globals</c>.
    /// </summary>
    public static Dictionary<string, object?> Context(ComponentSpec component, IReadOnlyDictionary<string, object?> values, JobGlobals globals, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(globals);
        var context = new Dictionary<string, object?>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        var asArgs = new List<object?>();
        foreach (var (name, value) in values)
        {
            var io = component.Io.FirstOrDefault(i => i.Name == name);
            if (io is null)
            {
                context[name] = value;
                continue;
            }

            context[name] = Display(io, value);
            var asArg = AsArg(io, value);
            if (asArg.Length > 0)
            {
                asArgs.Add(asArg);
            }

            parameters[name] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["value"] = Typed(io, value),
                ["type"] = io.Type,
                ["connection"] = io.Connection,
                ["as_str"] = AsStr(io, value),
                ["as_arg"] = asArg,
            };
        }

        parameters["as_args"] = asArgs;
        context["params"] = parameters;
        context["globals"] = globals.ToContext(now);
        return context;
    }

    // ParamSpec.get_typed_param_value: a str IO is text (each item, for a list), other types keep their value.
    private static object? Typed(IoSpec io, object? value) => io.Type == IoTypes.Str && value is not null
        ? value is List<object?> list ? list.Select(v => (object?)IoValues.Python(v)).ToList() : IoValues.Python(value)
        : value;

    // ParamSpec.get_display_value.
    private static object? Display(IoSpec io, object? value) => io.IsFlag ? (value is true ? "--" + io.Name : "") : Typed(io, value);

    // ParamSpec.__repr__: the display value as text, empty for None.
    private static string AsStr(IoSpec io, object? value) => Display(io, value) is { } shown ? IoValues.Python(shown) : "";

    // ParamSpec.as_arg: argFormat rendered with the value, --name for a true flag, else --name=value; empty for None.
    private static string AsArg(IoSpec io, object? value)
    {
        if (io.ArgFormat is { } format)
        {
            if (value is null)
            {
                return "";
            }

            var scope = new Dictionary<string, object?>(StringComparer.Ordinal) { [io.Name] = Typed(io, value) };
            return PolyaxonTemplates.Render(format, scope);
        }

        if (io.IsFlag)
        {
            return value is true ? "--" + io.Name : "";
        }

        return value is null ? "" : $"--{io.Name}={AsStr(io, value)}";
    }
}
