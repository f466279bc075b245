using Fathom.Data;
using YamlDotNet.RepresentationModel;

namespace Fathom.Pipelines;

internal static partial class PipelineParser
{
    private static PipelineStage ParseStage(string name, string? group, YamlMappingNode node, TemplateContext context, string folder, string file)
    {
        var label = $"stage '{name}'";
        if (Child(node, "vars") is { } vars)
        {
            LoadVars(vars, context, folder, file, $"{label}: vars");
        }

        List<string>? cmd = null;
        var cmdIsList = false;
        var wdir = ".";
        List<string> deps = [];
        var parameters = new List<ParamsDependency>();
        var outs = new List<StageOutput>();
        bool frozen = false, alwaysChanged = false;
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = Name(keyNode);
            var line = Line(valueNode);
            var where = $"{file}:{line}: {label}: {key}";
            switch (key)
            {
                case "cmd":
                    var value = ResolveNode(valueNode, context, true, where);
                    switch (value)
                    {
                        case string s when s.Length > 0:
                            cmd = [s];
                            break;
                        case List<object?> list when list.Count > 0 && list.All(i => i is string or long or double or bool):
                            cmd = list.Select(PipelineValues.ToText).ToList();
                            cmdIsList = true;
                            break;
                        case long or double or bool:
                            cmd = [PipelineValues.ToText(value)];
                            break;
                        default:
                            throw new DvcFormatException(file, line, label, "'cmd' must be a command or a list of commands.");
                    }

                    break;
                case "wdir":
                    wdir = ResolveNode(valueNode, context, false, where) as string is { Length: > 0 } w ? w
                        : throw new DvcFormatException(file, line, label, "'wdir' must be a folder path.");
                    break;
                case "deps":
                    deps = PathList(valueNode, context, file, label, key, where).Select(p => p.Path).ToList();
                    break;
                case "params":
                    parameters = ParseParams(valueNode, context, file, label, where);
                    break;
                case "outs":
                case "metrics":
                case "plots":
                    var kind = key switch { "metrics" => StageOutputKind.Metric, "plots" => StageOutputKind.Plot, _ => StageOutputKind.Out };
                    foreach (var (path, flags, flagLine, pathLine) in PathList(valueNode, context, file, label, key, where))
                    {
                        outs.Add(new StageOutput(path, Flag(flags, "cache", true, file, flagLine, label, path), Flag(flags, "persist", false, file, flagLine, label, path), kind)
                        {
                            Line = pathLine,
                            Plot = kind == StageOutputKind.Plot ? PlotDefinitions.FromOutput(path, flags, file, flagLine) : null,
                            Push = Flag(flags, "push", true, file, flagLine, label, path),
                            Remote = flags?.GetValueOrDefault("remote") switch
                            {
                                null => null,
                                string { Length: > 0 } remote => remote,
                                _ => throw new DvcFormatException(file, flagLine, label, $"'{path}': 'remote' must name a remote of .dvc/config."),
                            },
                        });
                    }

                    break;
                case "frozen":
                    frozen = Bool(ResolveNode(valueNode, context, false, where), file, line, label, key);
                    break;
                case "always_changed":
                    alwaysChanged = Bool(ResolveNode(valueNode, context, false, where), file, line, label, key);
                    break;
                case "desc" or "meta" or "vars":
                    break;
                case "foreach" or "do" or "matrix":
                    throw new DvcFormatException(file, Line(keyNode), label, $"'{key}' is only allowed at the top of a stage.");
                default:
                    throw new DvcFormatException(file, Line(keyNode), label, $"unknown field '{key}' (expected cmd, wdir, deps, params, outs, metrics, plots, frozen, always_changed, desc, meta or vars).");
            }
        }

        if (cmd is null)
        {
            throw new DvcFormatException(file, Line(node), label, "'cmd' is required.");
        }

        var fullWdir = Path.GetFullPath(wdir, folder);
        AddUsedParams(parameters, context, folder, fullWdir);
        return new PipelineStage(name, group, cmd, cmdIsList, fullWdir, deps, parameters, outs, frozen, alwaysChanged, Line(node));
    }

    /// <summary>Each item's path and flags, with the line of its flags (for flag errors) and of the item (for path errors).</summary>
    private static List<(string Path, Dictionary<string, object?>? Flags, int Line, int ItemLine)> PathList(YamlNode node, TemplateContext context, string file, string label, string key, string where)
    {
        if (node is not YamlSequenceNode list)
        {
            throw new DvcFormatException(file, Line(node), label, $"'{key}' must be a list.");
        }

        var result = new List<(string, Dictionary<string, object?>?, int, int)>();
        foreach (var item in list.Children)
        {
            switch (item)
            {
                case YamlScalarNode scalar:
                    var path = ResolveNode(scalar, context, false, where);
                    result.Add((path is string { Length: > 0 } p ? p : throw new DvcFormatException(file, Line(item), label, $"'{key}' items must be paths."), null, Line(item), Line(item)));
                    break;
                case YamlMappingNode { Children.Count: 1 } entry when key != "deps":
                    var (pathNode, flagsNode) = entry.Children.First();
                    var resolvedPath = ResolveNode(pathNode, context, false, where) as string
                        ?? throw new DvcFormatException(file, Line(item), label, $"'{key}' items must be paths.");
                    var flags = ResolveNode(flagsNode, context, false, where);
                    if (flags is not null and not Dictionary<string, object?>)
                    {
                        throw new DvcFormatException(file, Line(flagsNode), label, $"'{key}': the flags of '{resolvedPath}' must be a mapping (cache, persist, …).");
                    }

                    result.Add((resolvedPath, flags as Dictionary<string, object?>, Line(flagsNode), Line(item)));
                    break;
                default:
                    throw new DvcFormatException(file, Line(item), label, key == "deps" ? "'deps' items must be paths." : $"'{key}' items must be a path or 'path: {{flags}}'.");
            }
        }

        return result;
    }

    private static List<ParamsDependency> ParseParams(YamlNode node, TemplateContext context, string file, string label, string where)
    {
        if (node is not YamlSequenceNode list)
        {
            throw new DvcFormatException(file, Line(node), label, "'params' must be a list.");
        }

        var byFile = new Dictionary<string, List<string>?>(StringComparer.Ordinal);
        foreach (var item in list.Children)
        {
            switch (item)
            {
                case YamlScalarNode scalar when ResolveNode(scalar, context, false, where) is string { Length: > 0 } key:
                    Add(ParamsFiles.Default, [key]);
                    break;
                case YamlMappingNode map:
                    foreach (var (fileNode, keysNode) in map.Children)
                    {
                        var paramsFile = ResolveNode(fileNode, context, false, where) as string ?? "";
                        var keys = ResolveNode(keysNode, context, false, where);
                        switch (keys)
                        {
                            case null:
                            case List<object?> { Count: 0 }:
                                byFile[paramsFile] = null;
                                break;
                            case List<object?> names when names.All(n => n is string):
                                Add(paramsFile, names.Cast<string>());
                                break;
                            default:
                                throw new DvcFormatException(file, Line(keysNode), label, $"'params': the keys of '{paramsFile}' must be a list of names (or empty for the whole file).");
                        }
                    }

                    break;
                default:
                    throw new DvcFormatException(file, Line(item), label, "'params' items must be a key of params.yaml or 'file: [keys]'.");
            }
        }

        return byFile.Select(p => new ParamsDependency(p.Key, p.Value)).ToList();

        void Add(string paramsFile, IEnumerable<string> keys)
        {
            if (!byFile.TryGetValue(paramsFile, out var existing))
            {
                byFile[paramsFile] = existing = [];
            }

            // A whole-file entry (null) already covers every key.
            existing?.AddRange(keys.Where(k => !existing.Contains(k)));
        }
    }

    /// <summary>Values interpolated from params files are params of the stage (DVC tracks them so a change reruns it).</summary>
    private static void AddUsedParams(List<ParamsDependency> parameters, TemplateContext context, string folder, string wdir)
    {
        foreach (var group in context.Used.GroupBy(u => u.File))
        {
            var relative = Path.GetRelativePath(wdir, Path.GetFullPath(group.Key, folder)).Replace(Path.DirectorySeparatorChar, '/');
            var index = parameters.FindIndex(p => p.File == relative);
            if (index < 0)
            {
                parameters.Add(new ParamsDependency(relative, group.Select(u => u.Key).Distinct().ToList()));
            }
            else if (parameters[index].Keys is { } keys)
            {
                parameters[index] = parameters[index] with { Keys = keys.Concat(group.Select(u => u.Key)).Distinct().ToList() };
            }
        }
    }

    private static bool Flag(Dictionary<string, object?>? flags, string name, bool fallback, string file, int line, string label, string path)
    {
        if (flags is null || !flags.TryGetValue(name, out var value))
        {
            return fallback;
        }

        return value as bool? ?? throw new DvcFormatException(file, line, label, $"'{path}': '{name}' must be true or false.");
    }

    private static bool Bool(object? value, string file, int line, string label, string key) =>
        value as bool? ?? throw new DvcFormatException(file, line, label, $"'{key}' must be true or false.");
}
