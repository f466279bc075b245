using System.Globalization;
using System.Text.RegularExpressions;
using Fathom.Data;
using Fathom.Storage;
using YamlDotNet.RepresentationModel;

namespace Fathom.Pipelines;

/// <summary>
/// Parses <c>dvc.yaml</c> into resolved stages: loads <c>params.yaml</c> and <c>vars</c> into the template context,
/// expands <c>foreach</c>/<c>do</c> and <c>matrix</c> groups (<c>group@item</c>, <c>group@a-b</c>), interpolates
/// <c>${…}</c> and checks every field. Every error names the file, the line and the field.
/// </summary>
internal static partial class PipelineParser
{
    public const string FileName = "dvc.yaml";

    [GeneratedRegex(@"^[A-Za-z0-9_-]+$")]
    private static partial Regex StageName();

    /// <summary>
    /// Reads and parses the <c>dvc.yaml</c> at <paramref name="path"/>; <paramref name="displayName"/> names it in
    /// messages, and every out must be where <paramref name="paths"/> (the repository's) allows.
    /// </summary>
    public static Pipeline Load(string path, string displayName, PathConfinement paths)
    {
        if (!File.Exists(path))
        {
            throw new DataException(DataErrorKind.NotFound, $"'{displayName}' does not exist: write a dvc.yaml with 'stages:' first.");
        }

        return Parse(File.ReadAllText(path), Path.GetFullPath(path), displayName, paths);
    }

    /// <summary>Parses <paramref name="text"/>; with <paramref name="paths"/>, refuses outs it does not allow (see <see cref="Confine"/>).</summary>
    public static Pipeline Parse(string text, string fullPath, string displayName, PathConfinement? paths = null)
    {
        var folder = Path.GetDirectoryName(fullPath)!;
        var root = PipelineYaml.Load(text, displayName);
        if (root is null)
        {
            return new Pipeline(fullPath, [], [], []);
        }

        if (root is not YamlMappingNode map)
        {
            throw new DvcFormatException(displayName, Line(root), "", "expected a mapping with 'stages:'.");
        }

        var context = new TemplateContext();
        var defaultParams = Path.Combine(folder, ParamsFiles.Default);
        if (File.Exists(defaultParams))
        {
            context.Merge(ParamsFiles.Load(defaultParams, ParamsFiles.Default), ParamsFiles.Default, $"{displayName}: {ParamsFiles.Default}");
        }

        YamlNode? stagesNode = null;
        List<string> metrics = [], paramsFiles = [];
        List<PlotDefinition> plots = [];
        foreach (var (keyNode, value) in map.Children)
        {
            var key = Name(keyNode);
            switch (key)
            {
                case "vars":
                    LoadVars(value, context, folder, displayName, "vars");
                    break;
                case "stages":
                    stagesNode = value;
                    break;
                case "metrics":
                    metrics = Strings(value, displayName, "metrics");
                    break;
                case "params":
                    paramsFiles = Strings(value, displayName, "params");
                    break;
                case "plots":
                    plots = PlotDefinitions.ParseTopLevel(value, displayName);
                    break;
                case "artifacts" or "datasets":
                    break;
                default:
                    throw new DvcFormatException(displayName, Line(keyNode), key, "unknown top-level field (expected stages, vars, params, metrics, plots, artifacts or datasets).");
            }
        }

        var stages = new List<PipelineStage>();
        if (stagesNode is YamlMappingNode stageMap)
        {
            foreach (var (keyNode, definition) in stageMap.Children)
            {
                var name = Name(keyNode);
                if (!StageName().IsMatch(name))
                {
                    throw new DvcFormatException(displayName, Line(keyNode), $"stages.{name}", "invalid stage name: use letters, digits, '_' and '-' ('@' is reserved for foreach/matrix members).");
                }

                if (definition is not YamlMappingNode stageNode)
                {
                    throw new DvcFormatException(displayName, Line(definition), $"stage '{name}'", "expected a mapping with 'cmd'.");
                }

                stages.AddRange(Expand(name, stageNode, context, folder, displayName));
            }
        }
        else if (stagesNode is not null && stagesNode is not YamlScalarNode { Value: null or "" })
        {
            throw new DvcFormatException(displayName, Line(stagesNode), "stages", "expected a mapping of stage names to definitions.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in stages.Where(s => !seen.Add(s.Name)))
        {
            throw new DvcFormatException(displayName, stage.Line, $"stage '{stage.Name}'", "defined twice (a foreach/matrix member has the same name as another stage).");
        }

        if (paths is not null)
        {
            Confine(stages, paths, displayName);
        }

        return new Pipeline(fullPath, stages, metrics, paramsFiles) { Plots = plots };
    }

    /// <summary>
    /// Refuses, with file, line and field, an out (outs, metrics, plots) outside the repository, in <c>.git</c> or
    /// <c>.dvc</c>, or behind a link leading out: repro deletes, caches and restores outs, and checkout and pull write
    /// them, so none of that may reach another place. DVC refuses cached outs outside the project ("Cached output(s)
    /// outside of DVC project"); uncached ones too here, since repro moves them aside before running the stage.
    /// Dependencies are only read, and may be anywhere, as in DVC.
    /// </summary>
    private static void Confine(List<PipelineStage> stages, PathConfinement paths, string file)
    {
        foreach (var stage in stages)
        {
            var index = new Dictionary<StageOutputKind, int>();
            foreach (var output in stage.Outs)
            {
                var i = index[output.Kind] = index.GetValueOrDefault(output.Kind, -1) + 1;
                if (paths.Confine(output.Path, stage.Wdir).Refusal is { } refusal)
                {
                    var key = output.Kind switch { StageOutputKind.Metric => "metrics", StageOutputKind.Plot => "plots", _ => "outs" };
                    throw new DvcFormatException(file, output.Line, $"stages.{stage.Name}.{key}[{i}]", $"'{output.Path}' {refusal}.");
                }
            }
        }
    }

    private static List<PipelineStage> Expand(string name, YamlMappingNode node, TemplateContext context, string folder, string file)
    {
        var foreachNode = Child(node, "foreach");
        var matrixNode = Child(node, "matrix");
        if (foreachNode is null && matrixNode is null)
        {
            return [ParseStage(name, null, node, context.Clone(), folder, file)];
        }

        if (foreachNode is not null)
        {
            var doNode = Child(node, "do") as YamlMappingNode
                ?? throw new DvcFormatException(file, Line(node), $"stage '{name}'", "'foreach' needs a 'do' mapping with the stage definition.");
            foreach (var (k, _) in node.Children.Where(c => Name(c.Key) is not ("foreach" or "do")))
            {
                throw new DvcFormatException(file, Line(k), $"stage '{name}'", $"'{Name(k)}' must go under 'do' in a foreach stage.");
            }

            var items = ResolveNode(foreachNode, context.Clone(), false, $"{file}:{Line(foreachNode)}: stage '{name}': foreach");
            var members = new List<PipelineStage>();
            switch (items)
            {
                case List<object?> list:
                    var byIndex = list.Any(i => i is List<object?> or Dictionary<string, object?>);
                    for (var i = 0; i < list.Count; i++)
                    {
                        var member = context.Clone();
                        member.SetLocal("item", list[i]);
                        var suffix = byIndex ? i.ToString(CultureInfo.InvariantCulture) : PipelineValues.ToText(list[i]);
                        members.Add(ParseStage($"{name}@{suffix}", name, doNode, member, folder, file));
                    }

                    break;
                case Dictionary<string, object?> map:
                    foreach (var (key, value) in map)
                    {
                        var member = context.Clone();
                        member.SetLocal("item", value);
                        member.SetLocal("key", key);
                        members.Add(ParseStage($"{name}@{key}", name, doNode, member, folder, file));
                    }

                    break;
                default:
                    throw new DvcFormatException(file, Line(foreachNode), $"stage '{name}'", "'foreach' must be a list, a mapping, or a ${…} expression giving one.");
            }

            return members;
        }

        if (matrixNode is not YamlMappingNode matrix)
        {
            throw new DvcFormatException(file, Line(matrixNode!), $"stage '{name}'", "'matrix' must be a mapping of names to lists.");
        }

        var axes = new List<(string Name, List<object?> Values)>();
        foreach (var (k, v) in matrix.Children)
        {
            var values = ResolveNode(v, context.Clone(), false, $"{file}:{Line(v)}: stage '{name}': matrix.{Name(k)}") as List<object?>
                ?? throw new DvcFormatException(file, Line(v), $"stage '{name}'", $"matrix.{Name(k)} must be a list (or a ${{…}} expression giving one).");
            axes.Add((Name(k), values));
        }

        var body = new YamlMappingNode();
        foreach (var (k, v) in node.Children.Where(c => Name(c.Key) != "matrix"))
        {
            body.Add(k, v);
        }

        // Cartesian product, first variable varying slowest, as DVC's itertools.product.
        var combos = new List<List<int>> { new() };
        foreach (var axis in axes)
        {
            combos = combos.SelectMany(c => Enumerable.Range(0, axis.Values.Count).Select(i => new List<int>(c) { i })).ToList();
        }

        var result = new List<PipelineStage>();
        foreach (var combo in combos)
        {
            var item = new Dictionary<string, object?>(StringComparer.Ordinal);
            var fragments = new List<string>();
            for (var a = 0; a < axes.Count; a++)
            {
                var value = axes[a].Values[combo[a]];
                item[axes[a].Name] = value;
                fragments.Add(value is List<object?> or Dictionary<string, object?> ? axes[a].Name + combo[a].ToString(CultureInfo.InvariantCulture) : PipelineValues.ToText(value));
            }

            var key = string.Join('-', fragments);
            var member = context.Clone();
            member.SetLocal("item", item);
            member.SetLocal("key", key);
            result.Add(ParseStage($"{name}@{key}", name, body, member, folder, file));
        }

        return result;
    }

    private static void LoadVars(YamlNode node, TemplateContext context, string folder, string file, string field)
    {
        if (node is not YamlSequenceNode list)
        {
            throw new DvcFormatException(file, Line(node), field, "expected a list of params files or mappings.");
        }

        foreach (var item in list.Children)
        {
            var where = $"{file}:{Line(item)}: {field}";
            switch (item)
            {
                case YamlMappingNode inline:
                    if (PipelineValues.FromYaml(inline) is Dictionary<string, object?> values)
                    {
                        if (values.Values.OfType<string>().Any(Interpolation.HasExpression))
                        {
                            throw new DvcFormatException(file, Line(item), field, "vars values may not use ${…}.");
                        }

                        context.Merge(values, null, where);
                    }

                    break;
                case YamlScalarNode { Value: { Length: > 0 } spec }:
                    var colon = spec.IndexOf(':', StringComparison.Ordinal);
                    var path = colon < 0 ? spec : spec[..colon];
                    var loaded = ParamsFiles.Load(Path.GetFullPath(path, folder), path);
                    if (colon >= 0)
                    {
                        var keys = spec[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                        loaded = keys.ToDictionary(k => k, k => loaded.TryGetValue(k, out var v) ? v
                            : throw new DvcFormatException(file, Line(item), field, $"'{k}' is not a top-level key of '{path}'."), StringComparer.Ordinal);
                    }

                    // params.yaml is already in the context; listing it again only selects from it.
                    if (path != ParamsFiles.Default)
                    {
                        context.Merge(loaded, path, where);
                    }

                    break;
                default:
                    throw new DvcFormatException(file, Line(item), field, "each item must be a params file path (optionally 'file:key1,key2') or a mapping.");
            }
        }
    }

    /// <summary>A node's loaded value with every string scalar interpolated (a lone <c>${x}</c> keeps x's type).</summary>
    private static object? ResolveNode(YamlNode node, TemplateContext context, bool isCmd, string where) => node switch
    {
        YamlScalarNode scalar when scalar.Value is { } text && text.Contains("${", StringComparison.Ordinal) => Interpolation.Resolve(text, context, isCmd, where),
        YamlScalarNode scalar when scalar.Value is { } text && text.Contains("\\${", StringComparison.Ordinal) => text.Replace("\\${", "${", StringComparison.Ordinal),
        YamlScalarNode scalar => PipelineValues.FromScalar(scalar),
        YamlSequenceNode sequence => sequence.Children.Select(c => ResolveNode(c, context, isCmd, where)).ToList(),
        YamlMappingNode mapping => mapping.Children.ToDictionary(c => Name(c.Key), c => ResolveNode(c.Value, context, isCmd, where), StringComparer.Ordinal),
        _ => null,
    };

    private static List<string> Strings(YamlNode node, string file, string field)
    {
        if (node is not YamlSequenceNode list)
        {
            throw new DvcFormatException(file, Line(node), field, "must be a list.");
        }

        return list.Children.Select(c => c switch
        {
            YamlScalarNode { Value: { Length: > 0 } v } => v,
            YamlMappingNode m when m.Children.Count == 1 => Name(m.Children.First().Key),
            _ => throw new DvcFormatException(file, Line(c), field, "each item must be a path."),
        }).ToList();
    }

    private static YamlNode? Child(YamlMappingNode node, string key) => node.Children.FirstOrDefault(c => Name(c.Key) == key).Value;

    private static string Name(YamlNode node) => (node as YamlScalarNode)?.Value ?? "";

    private static int Line(YamlNode node) => PipelineYaml.Line(node);
}
