using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;

namespace Fathom.Config;

/// <summary>
/// Binds a section of a (resolved) config tree onto an options class with settable or init properties: snake_case keys
/// to PascalCase properties (<c>val_split</c> → <c>ValSplit</c>), or the name a <see cref="ConfigKeyAttribute"/> gives;
/// scalars converted to the property's type (string, bool, integers, floating point, enums by name, nullable of
/// these), lists to arrays or lists, maps to nested options classes. Every problem is reported — unknown keys with the
/// nearest valid name — each as <c>file:line: section.key: what to do</c>.
/// </summary>
internal static class ConfigBinder
{
    private const DynamicallyAccessedMemberTypes Members = DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.NonPublicProperties;

    /// <summary>The section bound; a missing or null section gives a default <typeparamref name="T"/>.</summary>
    /// <exception cref="ConfigException">One or more keys are unknown or hold a value of the wrong type; one line each.</exception>
    public static T Bind<[DynamicallyAccessedMembers(Members)] T>(ConfigNode root, string section)
        where T : new()
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(section);
        var node = section.Length == 0 ? root : ConfigOverrides.Select(root, section.Split('.'));
        var errors = new List<ConfigException>();
        var result = node is null or ConfigScalar { Kind: ScalarKind.Null } ? new T() : (T)BindObject(typeof(T), node, section, errors);
        return errors.Count switch
        {
            0 => result,
            1 => throw errors[0],
            _ => throw new ConfigException(string.Join(Environment.NewLine, errors.Select(e => e.Message))),
        };
    }

    /// <summary>The config key of a property: its <see cref="ConfigKeyAttribute"/>, else its name in snake_case.</summary>
    public static string KeyOf(PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property.GetCustomAttribute<ConfigKeyAttribute>()?.Key ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Options classes are annotated at the entry point; nested ones are kept by their properties.")]
    private static object BindObject([DynamicallyAccessedMembers(Members)] Type type, ConfigNode node, string path, List<ConfigException> errors)
    {
        var instance = Activator.CreateInstance(type)!;
        if (node is not ConfigMap map)
        {
            errors.Add(new ConfigException(node.Source, path, $"expected a map of settings, got {node.Describe()}."));
            return instance;
        }

        var properties = type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(p => p.SetMethod is not null && p.GetIndexParameters().Length == 0)
            .ToDictionary(KeyOf, StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            var key = path.Length == 0 ? entry.Key : path + "." + entry.Key;
            if (!properties.TryGetValue(entry.Key, out var property))
            {
                var nearest = Nearest(entry.Key, properties.Keys);
                var hint = nearest is null ? $"valid keys: {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}" : $"did you mean '{nearest}'?";
                errors.Add(new ConfigException(entry.KeySource, key, $"unknown key; {hint}"));
                continue;
            }

            if (entry.Value is ConfigScalar { IsMissing: true })
            {
                errors.Add(new ConfigException(entry.Value.Source, key, $"Missing mandatory value: set it in the file or on the command line ({key}=VALUE)."));
                continue;
            }

            try
            {
                property.SetValue(instance, Convert(property.PropertyType, entry.Value, key, errors));
            }
            catch (ConfigException e)
            {
                errors.Add(e);
            }
        }

        return instance;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2062", Justification = "Element and nested types are reachable from the annotated options class.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Element and nested types are reachable from the annotated options class.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Element and nested types are reachable from the annotated options class.")]
    private static object? Convert(Type type, ConfigNode node, string key, List<ConfigException> errors)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is ConfigScalar { Kind: ScalarKind.Null })
        {
            return underlying is not null || !type.IsValueType ? null : throw Wrong(node, key, type);
        }

        type = underlying ?? type;
        if (node is ConfigScalar scalar)
        {
            return Scalar(type, scalar, key);
        }

        if (node is ConfigList list)
        {
            var element = type.IsArray ? type.GetElementType() : type.IsGenericType ? type.GetGenericArguments()[0] : null;
            if (element is null || type == typeof(string))
            {
                throw Wrong(node, key, type);
            }

            var items = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            for (var i = 0; i < list.Items.Length; i++)
            {
                items.Add(Convert(element, list.Items[i], $"{key}.{i}", errors));
            }

            if (type.IsArray)
            {
                var array = Array.CreateInstance(element, items.Count);
                items.CopyTo(array, 0);
                return array;
            }

            return items;
        }

        return type.IsClass && type != typeof(string) && type.GetConstructor(Type.EmptyTypes) is not null
            ? BindObject(type, node, key, errors)
            : throw Wrong(node, key, type);
    }

    private static object Scalar(Type type, ConfigScalar scalar, string key)
    {
        object? value = null;
        if (type == typeof(string))
        {
            value = scalar.Kind == ScalarKind.String ? scalar.Value : scalar.Text;
        }
        else if (type == typeof(bool))
        {
            value = scalar.Kind == ScalarKind.Bool ? scalar.Value : null;
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            if (scalar.Kind == ScalarKind.Int)
            {
                var number = (long)scalar.Value!;
                value = type == typeof(long) ? number : number is >= int.MinValue and <= int.MaxValue ? (int)number : null;
            }
        }
        else if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            if (scalar.Kind is ScalarKind.Int or ScalarKind.Float)
            {
                var number = scalar.AsDouble;
                value = type == typeof(double) ? number : type == typeof(float) ? (float)number : (decimal)number;
            }
        }
        else if (type.IsEnum)
        {
            if (scalar.Kind == ScalarKind.String && Enum.TryParse(type, ((string)scalar.Value!).Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var parsed) && Enum.IsDefined(type, parsed))
            {
                value = parsed;
            }
            else
            {
                var names = string.Join(", ", Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)));
                throw new ConfigException(scalar.Source, key, $"'{scalar.Text}' is not one of {names}.");
            }
        }

        return value ?? throw Wrong(scalar, key, type);
    }

    private static ConfigException Wrong(ConfigNode node, string key, Type type)
    {
        var expected = type == typeof(bool) ? "true or false"
            : type == typeof(int) ? "an integer"
            : type == typeof(long) ? "an integer"
            : type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? "a number"
            : type == typeof(string) ? "a string"
            : type.IsArray || (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type)) ? "a list"
            : "a map";
        var got = node switch
        {
            ConfigScalar { Kind: ScalarKind.String } s => $"the string '{s.Value}'",
            ConfigScalar s => s.Describe(),
            ConfigList => "a list",
            _ => "a map",
        };
        return new ConfigException(node.Source, key, $"expected {expected}, got {got}.");
    }

    /// <summary>The candidate closest to <paramref name="key"/> by edit distance, when close enough to be a typo.</summary>
    public static string? Nearest(string key, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(candidates);
        var best = candidates.Select(c => (Candidate: c, Distance: Distance(key, c))).OrderBy(p => p.Distance).ThenBy(p => p.Candidate, StringComparer.Ordinal).FirstOrDefault();
        return best.Candidate is not null && best.Distance <= Math.Max(2, key.Length / 3) ? best.Candidate : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
