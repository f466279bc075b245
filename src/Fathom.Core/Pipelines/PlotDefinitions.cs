using Fathom.Data;
using YamlDotNet.RepresentationModel;

namespace Fathom.Pipelines;

/// <summary>
/// Parses and checks DVC's plot definitions: the top-level <c>plots:</c> list (<c>path</c>, <c>path: {props}</c> or
/// <c>name: {y: {file: field}, x: …}</c>) and the plot properties of a stage's <c>plots</c> outputs. Errors name the
/// file, the line and the field.
/// </summary>
internal static class PlotDefinitions
{
    private static readonly string[] PlotProps = ["x", "y", "template", "title", "x_label", "y_label"];

    // What DVC's output schema allows besides the plot props on a stage's plots output.
    private static readonly string[] OutputFlags = ["cache", "persist", "push", "remote", "desc", "type", "labels", "meta", "header"];

    public static List<PlotDefinition> ParseTopLevel(YamlNode node, string file)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node is not YamlSequenceNode list)
        {
            throw new DvcFormatException(file, Line(node), "plots", "must be a list of plot paths or 'id: {x, y, …}' mappings.");
        }

        var plots = new List<PlotDefinition>();
        foreach (var item in list.Children)
        {
            switch (item)
            {
                case YamlScalarNode { Value: { Length: > 0 } path }:
                    plots.Add(Define(path, null, file, Line(item)));
                    break;
                case YamlMappingNode { Children.Count: 1 } map:
                    var (key, value) = map.Children.First();
                    var id = (key as YamlScalarNode)?.Value is { Length: > 0 } name ? name
                        : throw new DvcFormatException(file, Line(key), "plots", "a plot id must be a path or a name.");
                    var props = value is YamlScalarNode { Value: null or "" } ? null : PipelineValues.FromYaml(value) as Dictionary<string, object?>
                        ?? throw new DvcFormatException(file, Line(value), $"plots.{id}", "expected a mapping of plot properties (x, y, template, title, x_label, y_label).");
                    plots.Add(Define(id, props, file, Line(value)));
                    break;
                default:
                    throw new DvcFormatException(file, Line(item), "plots", "each item must be a path or 'id: {x, y, …}'.");
            }
        }

        return plots;
    }

    /// <summary>The plot a stage's <c>plots</c> output defines; <paramref name="path"/> is relative to dvc.yaml's folder.</summary>
    public static PlotDefinition FromOutput(string path, Dictionary<string, object?>? flags, string file, int line)
    {
        var props = flags?.Where(f => PlotProps.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        foreach (var key in flags?.Keys.Where(k => !PlotProps.Contains(k) && !OutputFlags.Contains(k)) ?? [])
        {
            throw new DvcFormatException(file, line, $"plots.{path}", $"unknown property '{key}' (expected {string.Join(", ", PlotProps.Concat(OutputFlags))}).");
        }

        if (props is { } p && p.TryGetValue("y", out var y) && y is Dictionary<string, object?>)
        {
            throw new DvcFormatException(file, line, $"plots.{path}", "'y' of a stage's plot names fields of that file (a field or a list), not other files.");
        }

        return Define(path, props, file, line);
    }

    private static PlotDefinition Define(string id, Dictionary<string, object?>? props, string file, int line)
    {
        var where = $"plots.{id}";
        foreach (var key in props?.Keys.Where(k => !PlotProps.Contains(k)) ?? [])
        {
            throw new DvcFormatException(file, line, where, $"unknown property '{key}' (expected {string.Join(", ", PlotProps)}).");
        }

        var y = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        switch (props?.GetValueOrDefault("y"))
        {
            case null:
                y[id] = [];
                break;
            case string field:
                y[id] = [field];
                break;
            case List<object?> fields when fields.All(f => f is string):
                y[id] = fields.Cast<string>().ToList();
                break;
            case Dictionary<string, object?> byFile:
                foreach (var (dataFile, fields) in byFile)
                {
                    y[dataFile] = fields switch
                    {
                        string one => [one],
                        List<object?> many when many.All(f => f is string) => many.Cast<string>().ToList(),
                        _ => throw new DvcFormatException(file, line, where, $"'y' of '{dataFile}' must be a field name or a list of them."),
                    };
                }

                break;
            default:
                throw new DvcFormatException(file, line, where, "'y' must be a field, a list of fields, or a mapping of data files to fields.");
        }

        var x = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (props?.GetValueOrDefault("x"))
        {
            case null:
                break;
            case string field:
                foreach (var dataFile in y.Keys)
                {
                    x[dataFile] = field;
                }

                break;
            case Dictionary<string, object?> byFile when byFile.Values.All(v => v is string):
                foreach (var (dataFile, field) in byFile)
                {
                    x[dataFile] = (string)field!;
                }

                break;
            default:
                throw new DvcFormatException(file, line, where, "'x' must be a field or a mapping of data files to fields.");
        }

        var template = Text(props, "template", file, line, where) ?? "linear";
        if (!PlotDefinition.Templates.Contains(template) && !template.EndsWith(".json", StringComparison.Ordinal))
        {
            throw new DvcFormatException(file, line, where, $"unknown template '{template}' (expected {string.Join(", ", PlotDefinition.Templates)}, or a .json template file).");
        }

        return new PlotDefinition(id, y, x, template, Text(props, "title", file, line, where), Text(props, "x_label", file, line, where), Text(props, "y_label", file, line, where));
    }

    private static string? Text(Dictionary<string, object?>? props, string key, string file, int line, string where) =>
        props?.GetValueOrDefault(key) switch
        {
            null => null,
            string s => s,
            _ => throw new DvcFormatException(file, line, where, $"'{key}' must be text."),
        };

    private static int Line(YamlNode node) => PipelineYaml.Line(node);
}
