using System.Globalization;

namespace Fathom.Config;

/// <summary>
/// Applies one value override to a composed tree, as Hydra's <c>_apply_overrides_to_config</c> does on a config in
/// struct mode (a key must exist to be changed, must not exist to be added), with Hydra's messages; plus Fathom's list
/// operators (<c>+=</c>, <c>-=</c>, indexed keys, <c>~key[i]</c>). Dicts merge into dicts; lists replace lists.
/// </summary>
internal static class ConfigOverrides
{
    public static ConfigMap Apply(ConfigMap root, Override o)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(o);
        if (o.Package is not null)
        {
            throw new ConfigException(o.Source, o.Key, $"Override {o.Input} looks like a config group override, but config group '{o.Key}' does not exist.");
        }

        var path = o.Key.Split('.');
        var current = Select(root, path);
        switch (o.Kind)
        {
            case OverrideKind.Delete:
                if (current is null)
                {
                    throw new ConfigException(o.Source, o.Key, $"Could not delete from config. '{o.Key}' does not exist.");
                }

                if (o.Value is not null && !ConfigNode.SameValue(current, o.Element))
                {
                    throw new ConfigException(o.Source, o.Key, $"Could not delete from config. The value of '{o.Key}' is {current.Describe()} and not {o.Element.Describe()}.");
                }

                return (ConfigMap)Update(root, path, 0, o, (_, _) => null, create: false)!;
            case OverrideKind.Add:
                if (current is not (null or ConfigScalar { Kind: ScalarKind.Null }) && o.Element is not (ConfigMap or ConfigList))
                {
                    throw new ConfigException(o.Source, o.Key,
                        $"Could not append to config. An item is already at '{o.Key}'. Either remove + prefix: '{o.Input[1..]}' Or add a second + to add or override '{o.Key}': '+{o.Input}'");
                }

                return Set(root, path, o, create: true);
            case OverrideKind.ForceAdd:
                return Set(root, path, o, create: true);
            case OverrideKind.Extend or OverrideKind.Remove:
                return ListOperation(root, path, current, o);
            default:
                if (current is null)
                {
                    throw new ConfigException(o.Source, o.Key, $"Could not override '{o.Key}'. To append to your config use +{o.Input}");
                }

                return Set(root, path, o, create: false);
        }
    }

    private static ConfigMap Set(ConfigMap root, string[] path, Override o, bool create) =>
        (ConfigMap)Update(root, path, 0, o, (existing, value) => existing is null ? value : ConfigMerge.Merge(existing, value), create)!;

    private static ConfigMap ListOperation(ConfigMap root, string[] path, ConfigNode? current, Override o)
    {
        var value = o.Element;
        var parent = path.Length > 1 ? Select(root, path[..^1]) : root;
        if (o.Kind == OverrideKind.Extend && parent is ConfigList && current is not null && int.TryParse(path[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            // key[i]+=x inserts before element i (x a value, or a list of values).
            var insert = value is ConfigList many ? many.Items : [value];
            return (ConfigMap)Update(root, path[..^1], 0, o, (existing, _) => ((ConfigList)existing!) with { Items = ((ConfigList)existing!).Items.InsertRange(index, insert) }, create: false)!;
        }

        if (current is not ConfigList list)
        {
            var shown = current is null ? "missing" : current.Describe();
            throw new ConfigException(o.Source, o.Key, $"Could not append to config list. The existing value of '{o.Key}' is {shown} which is not a list.");
        }

        ConfigList result = o.Kind == OverrideKind.Extend
            ? list with { Items = value is ConfigList extra ? list.Items.AddRange(extra.Items) : list.Items.Add(value) }
            : list with { Items = [.. list.Items.Where(i => !ConfigNode.SameValue(i, value))] };
        if (o.Kind == OverrideKind.Remove && result.Items.Length == list.Items.Length)
        {
            throw new ConfigException(o.Source, o.Key, $"Could not remove {value.Describe()} from '{o.Key}': the list {list.Describe()} does not hold it.");
        }

        return (ConfigMap)Update(root, path, 0, o, (_, _) => result, create: false)!;
    }

    /// <summary>The node at a path, or null.</summary>
    public static ConfigNode? Select(ConfigNode root, IReadOnlyList<string> path)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        ConfigNode? node = root;
        foreach (var segment in path)
        {
            node = node switch
            {
                ConfigMap map => map.TryGet(segment),
                ConfigList list when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < list.Items.Length => list.Items[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    // Rebuilds the spine to path[i..]; change(existing, value) gives the new node (null deletes).
    private static ConfigNode? Update(ConfigNode node, string[] path, int i, Override o, Func<ConfigNode?, ConfigNode, ConfigNode?> change, bool create)
    {
        var segment = path[i];
        var last = i == path.Length - 1;
        var value = o.Value is null ? ConfigScalar.Null(o.Source) : o.Element;
        switch (node)
        {
            case ConfigMap map:
                var existing = map.TryGet(segment);
                ConfigNode? next;
                if (last)
                {
                    next = change(existing, value);
                }
                else
                {
                    if (existing is null or ConfigScalar { Kind: ScalarKind.Null })
                    {
                        if (!create)
                        {
                            throw new ConfigException(o.Source, o.Key, $"Could not override '{o.Key}'. To append to your config use +{o.Input}");
                        }

                        existing = ConfigMap.Empty(o.Source);
                    }

                    next = Update(existing, path, i + 1, o, change, create);
                }

                return next is null ? map.Without(segment) : map.With(segment, next, o.Source);
            case ConfigList list when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < list.Items.Length:
                var item = last ? change(list.Items[index], value) : Update(list.Items[index], path, i + 1, o, change, create);
                ConfigNode updated = item is null ? list with { Items = list.Items.RemoveAt(index) } : list with { Items = list.Items.SetItem(index, item) };
                return updated;
            case ConfigList list:
                throw new ConfigException(o.Source, o.Key, $"'{segment}' is not an index of the list at '{string.Join('.', path[..i])}' (it has {list.Items.Length} elements).");
            default:
                throw new ConfigException(o.Source, o.Key, $"Could not override '{o.Key}': '{string.Join('.', path[..i])}' is {node.Describe()}, not a map.");
        }
    }
}
