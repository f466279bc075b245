namespace Fathom.Config;

/// <summary>OmegaConf's merge of unstructured configs, over immutable trees.</summary>
internal static class ConfigMerge
{
    /// <summary>
    /// <paramref name="source"/> merged onto <paramref name="destination"/>: maps merge key by key (keys new to the
    /// destination are appended), everything else — lists included — is replaced; a <c>???</c> in the source does not
    /// replace a value the destination has.
    /// </summary>
    public static ConfigNode Merge(ConfigNode destination, ConfigNode source)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(source);
        if (destination is ConfigMap into && source is ConfigMap from)
        {
            var result = into;
            foreach (var entry in from.Entries)
            {
                result = result.Entry(entry.Key) is { } existing
                    ? result.With(entry.Key, Merge(existing.Value, entry.Value))
                    : result.With(entry.Key, entry.Value, entry.KeySource);
            }

            return result;
        }

        return source is ConfigScalar { IsMissing: true } && destination is not ConfigScalar { IsMissing: true } ? destination : source;
    }

    /// <summary>A map holding <paramref name="content"/> at the dotted <paramref name="package"/> (the root for "").</summary>
    public static ConfigMap Place(string package, ConfigMap content)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(content);
        if (package.Length == 0)
        {
            return content;
        }

        ConfigNode node = content;
        foreach (var segment in package.Split('.').Reverse())
        {
            node = ConfigMap.Empty(content.Source).With(segment, node, content.Source);
        }

        return (ConfigMap)node;
    }
}
