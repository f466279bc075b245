using Fathom.Data;

namespace Fathom.Pipelines;

internal sealed partial class PipelineSet
{
    /// <summary>
    /// The stages a command works on, in dependency order: each target resolved as DVC's <c>stage.collect</c> does
    /// (<c>name</c>, <c>group</c>, <c>name@item</c>, <c>path/dvc.yaml:name</c>, <c>path/dvc.yaml</c> for all its stages,
    /// a folder with <paramref name="recursive"/> for every <c>dvc.yaml</c> below it, an output path for the stage
    /// producing it), then widened by their upstream (unless <paramref name="singleItem"/>) or, with
    /// <paramref name="downstream"/>, by the stages that depend on them. No targets: the base folder's <c>dvc.yaml</c>,
    /// or with <paramref name="recursive"/> every stage.
    /// </summary>
    public IReadOnlyList<PipelineStage> Select(IReadOnlyList<string> targets, bool recursive, bool singleItem, bool downstream)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var roots = new HashSet<string>(StringComparer.Ordinal);
        // As dvc repro: no target means ./dvc.yaml, with -R or without (-R only widens folder targets).
        if (targets.Count == 0)
        {
            roots.UnionWith(File.Exists(Path.Combine(BaseFolder, PipelineParser.FileName))
                ? Resolve(PipelineParser.FileName, recursive)
                : throw new DataException(DataErrorKind.NotFound, "There is no dvc.yaml in this folder: name a target ('path/to/dvc.yaml', 'path/to/dvc.yaml:stage'), '-R .' for every dvc.yaml below this folder, or -P for every pipeline."));
        }

        foreach (var target in targets)
        {
            roots.UnionWith(Resolve(target, recursive));
        }

        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            Walk(root, chosen, singleItem ? null : downstream ? Graph.Downstream : Graph.Upstream);
        }

        return Graph.Stages.Where(s => chosen.Contains(s.Name)).ToList();
    }

    private static void Walk(string name, HashSet<string> chosen, Func<string, IReadOnlyList<string>>? next)
    {
        if (chosen.Add(name) && next is not null)
        {
            foreach (var other in next(name))
            {
                Walk(other, chosen, next);
            }
        }
    }

    /// <summary>The addresses one target names.</summary>
    public IReadOnlyList<string> Resolve(string target, bool recursive)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        var colon = target.LastIndexOf(':');
        if (colon >= 0)
        {
            var project = ProjectAt(colon == 0 ? "." : target[..colon], target);
            var name = target[(colon + 1)..];
            var members = project.Pipeline.Stages.Where(s => s.Name == name || s.Group == name).Select(s => Address(project, s.Name)).ToList();
            return members.Count > 0 ? members : throw NoStage(name, project);
        }

        var full = PipelineGraph.Normalize(Path.GetFullPath(target, BaseFolder));
        if (File.Exists(full) && Path.GetFileName(full) == PipelineParser.FileName)
        {
            var project = ProjectAt(target, target);
            return project.Pipeline.Stages.Select(s => Address(project, s.Name)).ToList();
        }

        if (recursive && Directory.Exists(full))
        {
            var inside = Projects.Where(p => PipelineGraph.Overlaps(PipelineGraph.Normalize(p.Pipeline.Folder), full) && p.Pipeline.Folder.Length >= full.Length)
                .SelectMany(p => p.Pipeline.Stages.Select(s => Address(p, s.Name))).ToList();
            return inside.Count > 0 ? inside : throw new DataException(DataErrorKind.NotFound, $"No dvc.yaml in '{target}' or below it.");
        }

        var named = Graph.Stages.Where(s => s.Name == target || s.Group == target).Select(s => s.Name).ToList();
        if (named.Count > 0)
        {
            return named;
        }

        // An output path names the stage that produces it (dvc repro data/prepared).
        var producers = Graph.Stages.Where(s => s.Outs.Any(o => PipelineGraph.Normalize(s.FullPath(o.Path)) == full)).Select(s => s.Name).ToList();
        if (producers.Count > 0)
        {
            return producers;
        }

        if (Directory.Exists(full))
        {
            throw new DataException(DataErrorKind.InvalidInput, $"'{target}' is a folder: add -R to use the dvc.yaml files inside it, or name a stage.");
        }

        var here = Projects.FirstOrDefault(p => PipelineGraph.Normalize(p.Pipeline.Folder) == PipelineGraph.Normalize(BaseFolder));
        throw here is null
            ? new DataException(DataErrorKind.NotFound, $"No stage '{target}': there is no dvc.yaml in this folder; name a stage as 'path/to/dvc.yaml:stage'.")
            : NoStage(target, here);
    }

    private PipelineProject ProjectAt(string path, string target)
    {
        var full = PipelineGraph.Normalize(Path.GetFullPath(path, BaseFolder));
        if (Directory.Exists(full))
        {
            full = Path.Combine(full, PipelineParser.FileName);
        }

        return Projects.FirstOrDefault(p => p.Pipeline.FilePath == full)
            ?? throw new DataException(DataErrorKind.NotFound, $"'{target}': '{Relative(full)}' is not a dvc.yaml of this repository.");
    }

    private DataException NoStage(string name, PipelineProject project) =>
        new(DataErrorKind.NotFound, $"No stage '{name}' in '{Relative(project.Pipeline.FilePath)}'. Stages: {string.Join(", ", project.Pipeline.Stages.Select(s => s.Name))}.");
}
