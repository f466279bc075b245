using System.Collections.Immutable;
using System.Globalization;
using Fathom.Data;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fathom.Config;

/// <summary>
/// Reads a config file into a <see cref="ConfigNode"/> tree with the file, line and column of every node, typing
/// plain scalars as OmegaConf's loader does (PyYAML's YAML 1.1 resolvers: <c>yes</c>/<c>on</c> are booleans, <c>1e3</c>
/// is a float, <c>0x1f</c> an int; no timestamps). Read within <see cref="BoundedYaml"/>'s budget, so an alias bomb is
/// refused with the file and line.
/// </summary>
internal static partial class ConfigYaml
{
    /// <summary>The loaded file: its root map and the package its <c># @package</c> header names, if any.</summary>
    public sealed record Document(ConfigMap Root, string? Package);

    public static Document Load(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        YamlStream stream;
        try
        {
            stream = BoundedYaml.Load(text, file);
        }
        catch (DvcFormatException e)
        {
            throw new ConfigException(new SourcePosition(file, e.Line, 0), "", e.Problem);
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            throw new ConfigException(new SourcePosition(file, (int)e.Start.Line, (int)e.Start.Column), "", $"not valid YAML: {reason}");
        }

        var package = PackageHeader(text);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new Document(ConfigMap.Empty(new SourcePosition(file, 1, 1)), package);
        }

        var root = Convert(stream.Documents[0].RootNode, file);
        return root is ConfigMap map
            ? new Document(map, package)
            : throw new ConfigException(root.Source, "", "a config file must hold a mapping (key: value lines) at its top level.");
    }

    /// <summary>A plain (unquoted) scalar typed as OmegaConf's YAML loader types it.</summary>
    public static ConfigScalar TypePlain(string text, SourcePosition source)
    {
        if (text.Length == 0 || text is "~" or "null" or "Null" or "NULL")
        {
            return ConfigScalar.Null(source);
        }

        if (text is "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON")
        {
            return ConfigScalar.Of(true, source);
        }

        if (text is "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF")
        {
            return ConfigScalar.Of(false, source);
        }

        if (ParseInt(text) is { } integer)
        {
            return ConfigScalar.Of(integer, source);
        }

        return ParseFloat(text) is { } number ? ConfigScalar.Of(number, source) : ConfigScalar.Of(text, source);
    }

    private static ConfigNode Convert(YamlNode node, string file)
    {
        var source = new SourcePosition(file, (int)node.Start.Line, (int)node.Start.Column);
        switch (node)
        {
            case YamlScalarNode scalar:
                return Scalar(scalar, source);
            case YamlSequenceNode sequence:
                return new ConfigList([.. sequence.Children.Select(c => Convert(c, file))], source);
            case YamlMappingNode mapping:
                var entries = ImmutableArray.CreateBuilder<ConfigEntry>(mapping.Children.Count);
                var merged = new List<ConfigMap>();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var keySource = new SourcePosition(file, (int)keyNode.Start.Line, (int)keyNode.Start.Column);
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new ConfigException(keySource, "", "a key must be a plain value, not a list or a map.");
                    }

                    if (key == "<<" && keyNode is YamlScalarNode { Style: ScalarStyle.Plain })
                    {
                        // YAML 1.1 merge key (PyYAML honours it): the named maps' keys, unless set here.
                        var value = Convert(valueNode, file);
                        merged.AddRange(value switch
                        {
                            ConfigMap m => [m],
                            ConfigList l when l.Items.All(i => i is ConfigMap) => l.Items.Cast<ConfigMap>(),
                            _ => throw new ConfigException(value.Source, "<<", "a merge key takes a map or a list of maps."),
                        });
                        continue;
                    }

                    entries.Add(new ConfigEntry(key, Convert(valueNode, file), keySource));
                }

                var map = new ConfigMap(entries.ToImmutable(), source);
                foreach (var entry in merged.SelectMany(m => m.Entries))
                {
                    if (map.IndexOf(entry.Key) < 0)
                    {
                        map = map.With(entry.Key, entry.Value, entry.KeySource);
                    }
                }

                return map;
            default:
                throw new ConfigException(source, "", "an unsupported YAML node.");
        }
    }

    private static ConfigScalar Scalar(YamlScalarNode scalar, SourcePosition source)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        return tag switch
        {
            "tag:yaml.org,2002:str" => ConfigScalar.Of(text, source),
            "tag:yaml.org,2002:int" => ParseInt(text) is { } i ? ConfigScalar.Of(i, source) : throw new ConfigException(source, "", $"'{text}' is tagged !!int but is not an integer."),
            "tag:yaml.org,2002:float" => (ParseFloat(text) ?? ParseInt(text)) is { } d
                ? ConfigScalar.Of(d, source)
                : throw new ConfigException(source, "", $"'{text}' is tagged !!float but is not a number."),
            "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:null" => TypePlain(text, source),
            _ when scalar.Style is ScalarStyle.Plain or ScalarStyle.Any => TypePlain(text, source),
            _ => ConfigScalar.Of(text, source),
        };
    }

    private static long? ParseInt(string text)
    {
        if (!IntPattern().IsMatch(text))
        {
            return null;
        }

        var negative = text[0] == '-';
        var body = text.TrimStart('-', '+').Replace("_", "", StringComparison.Ordinal);
        var (digits, radix) = body switch
        {
            _ when body.StartsWith("0x", StringComparison.Ordinal) => (body[2..], 16),
            _ when body.StartsWith("0b", StringComparison.Ordinal) => (body[2..], 2),
            _ when body.StartsWith("0o", StringComparison.Ordinal) => (body[2..], 8),
            _ when body.Length > 1 && body[0] == '0' => (body[1..], 8),
            _ => (body, 10),
        };
        try
        {
            var value = radix == 10 ? long.Parse(digits, CultureInfo.InvariantCulture) : System.Convert.ToInt64(digits, radix);
            return negative ? -value : value;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static double? ParseFloat(string text)
    {
        if (!FloatPattern().IsMatch(text))
        {
            return null;
        }

        var body = text.Replace("_", "", StringComparison.Ordinal);
        var negative = body.StartsWith('-');
        var unsigned = body.TrimStart('-', '+');
        if (unsigned is ".inf" or ".Inf" or ".INF")
        {
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (unsigned is ".nan" or ".NaN" or ".NAN")
        {
            return double.NaN;
        }

        return double.Parse(body, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    // Hydra reads the header from the comment lines before the content: "# @package <pkg>".
    private static string? PackageHeader(string text)
    {
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            if (!line.StartsWith("#"))
            {
                break;
            }

            var comment = line[1..].Trim();
            if (comment.StartsWith("@package"))
            {
                return comment["@package".Length..].Trim().ToString();
            }
        }

        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex IntPattern();

    // OmegaConf's float resolver: a dot or an exponent is required, so 10 stays an int and 1e3 is a float.
    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex FloatPattern();
}
