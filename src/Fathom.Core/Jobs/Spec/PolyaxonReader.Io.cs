using Fathom.Config;

namespace Fathom.Jobs;

internal static partial class PolyaxonReader
{
    private static readonly string[] IoKeys =
    [
        "name", "description", "type", "value", "isOptional", "isList", "isFlag", "argFormat", "connection", "toInit", "toEnv",
        "delayValidation", "options", "validation",
    ];

    private static readonly string[] ValidationKeys =
    [
        "delay", "gt", "ge", "lt", "le", "multipleOf", "minDigits", "maxDigits", "decimalPlaces", "regex", "minLength", "maxLength",
        "contains", "excludes", "options", "minItems", "maxItems", "keys", "containsKeys", "excludesKeys",
    ];

    // Names the template context gives other meanings (Polyaxon refuses them as IO names).
    private static readonly string[] ReservedNames = ["globals", "params", "connections"];

    private static List<IoSpec> Io(SpecReader reader, ConfigMap map, string key, string path, bool isOutput)
    {
        var list = new List<IoSpec>();
        var items = reader.List(map, key, path);
        for (var i = 0; i < items.Count; i++)
        {
            var where = $"{SpecReader.Join(path, key)}[{i}]";
            if (reader.Map(items[i], where) is not { } io)
            {
                continue;
            }

            var name = reader.Required(io, "name", where);
            if (name is not null)
            {
                where = $"{SpecReader.Join(path, key)}[{i}] ({name})";
                if (name.Contains('.', StringComparison.Ordinal) || name.Length == 0)
                {
                    reader.Error(io.TryGet("name")!.Source, where, "a name must not be empty or contain '.'.");
                }
                else if (ReservedNames.Contains(name))
                {
                    reader.Error(io.TryGet("name")!.Source, where, $"'{name}' is reserved in templates ({string.Join(", ", ReservedNames)}); choose another name.");
                }
            }

            reader.KnownKeys(io, where, IoKeys);
            var type = reader.String(io, "type", where);
            if (type is not null && !IoTypes.IsKnown(type))
            {
                var nearest = ConfigBinder.Nearest(type, IoTypes.Names);
                reader.Error(io.TryGet("type")!.Source, SpecReader.Join(where, "type"),
                    $"'{type}' is not a Polyaxon type{(nearest is null ? $"; valid types: {string.Join(", ", IoTypes.Names)}" : $"; did you mean '{nearest}'?")}");
            }

            var hasValue = io.IndexOf("value") >= 0;
            var value = io.TryGet("value");
            var optional = reader.Bool(io.TryGet("isOptional"), SpecReader.Join(where, "isOptional"));
            if (optional is false && value is not null and not ConfigScalar { Kind: ScalarKind.Null })
            {
                reader.Error(io.TryGet("isOptional")!.Source, where,
                    $"IO `{name}` is not optional and has default value `{value.Describe()}`; remove the value or set isOptional: true.");
            }

            var isFlag = reader.Bool(io, "isFlag", where);
            if (isFlag && type is not null && type != IoTypes.Bool)
            {
                reader.Error(io.TryGet("isFlag")!.Source, where, $"IO type `{type}` cannot be a flag, it must be of type `bool`.");
            }

            var spec = new IoSpec(
                name ?? "",
                type,
                value,
                hasValue,
                optional ?? hasValue,
                reader.Bool(io, "isList", where),
                isFlag,
                reader.String(io, "toEnv", where),
                reader.String(io, "argFormat", where),
                reader.String(io, "description", where),
                reader.String(io, "connection", where),
                Validation(reader, io, where, isOutput),
                isOutput,
                io.Source);
            if (spec.ToEnv is { } env && !IsEnvName(env))
            {
                reader.Error(io.TryGet("toEnv")!.Source, SpecReader.Join(where, "toEnv"), $"'{env}' is not an environment variable name (letters, digits and _, not starting with a digit).");
            }

            // Inputs are validated eagerly (outputs only when they are produced, Polyaxon's delayValidation default).
            if (!isOutput && hasValue && value is not ConfigScalar { Kind: ScalarKind.Null } && name is not null && spec.Validation?.Delay is not true)
            {
                try
                {
                    IoValues.Check(spec, IoValues.Coerce(spec, value!));
                }
                catch (IoValueException e)
                {
                    reader.Error(value!.Source, SpecReader.Join(where, "value"), e.Message);
                }
            }

            list.Add(spec);
        }

        return list;
    }

    private static IoValidation? Validation(SpecReader reader, ConfigMap io, string where, bool isOutput)
    {
        var options = io.TryGet("options");
        var delay = reader.Bool(io.TryGet("delayValidation"), SpecReader.Join(where, "delayValidation"));
        var map = reader.Map(io.TryGet("validation"), SpecReader.Join(where, "validation"));
        if (map is null && options is null && delay is null)
        {
            return isOutput ? new IoValidation(null, null, null, null, null, null, null, null, null, null, Delay: true) : null;
        }

        var path = SpecReader.Join(where, "validation");
        map ??= ConfigMap.Empty(io.Source);
        reader.KnownKeys(map, path, ValidationKeys);
        options = map.TryGet("options") ?? options;
        IReadOnlyList<object?>? choices = null;
        if (options is ConfigList list)
        {
            choices = [.. list.Items.Select(IoValues.FromNode)];
        }
        else if (options is not null and not ConfigScalar { Kind: ScalarKind.Null })
        {
            reader.Error(options.Source, SpecReader.Join(path, "options"), "expected a list of allowed values.");
        }

        return new IoValidation(
            reader.Number(map, "gt", path),
            reader.Number(map, "ge", path),
            reader.Number(map, "lt", path),
            reader.Number(map, "le", path),
            reader.String(map, "regex", path),
            reader.Int(map, "minLength", path),
            reader.Int(map, "maxLength", path),
            reader.Int(map, "minItems", path),
            reader.Int(map, "maxItems", path),
            choices,
            reader.Bool(map.TryGet("delay"), SpecReader.Join(path, "delay")) ?? delay ?? isOutput);
    }

    private static bool IsEnvName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
