using Fathom.Data;

namespace Fathom.Pipelines;

/// <summary>
/// The stage DAG of a pipeline: an edge from the stage producing an output to every stage whose dep (or params file)
/// is that path, lies inside it, or contains it — DVC's rule. Building it rejects two stages writing the same path
/// and cycles (naming the stages in the cycle).
/// </summary>
internal sealed class PipelineGraph
{
    private readonly Dictionary<string, PipelineStage> _byName;
    private readonly Dictionary<string, List<string>> _upstream;
    private readonly Dictionary<string, List<string>> _downstream;

    private PipelineGraph(IReadOnlyList<PipelineStage> stages, Dictionary<string, List<string>> upstream, Dictionary<string, List<string>> downstream)
    {
        Stages = stages;
        _byName = stages.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _upstream = upstream;
        _downstream = downstream;
    }

    /// <summary>Every stage in a dependency order (upstream first; file order among independent stages).</summary>
    public IReadOnlyList<PipelineStage> Stages { get; }

    public IReadOnlyList<string> Upstream(string stage) => _upstream[stage];

    public IReadOnlyList<string> Downstream(string stage) => _downstream[stage];

    public PipelineStage this[string name] => _byName[name];

    public static PipelineGraph Build(Pipeline pipeline, string displayName)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var stages = pipeline.Stages;
        var outs = stages.SelectMany(s => s.Outs.Select(o => (Stage: s, o.Path, Full: Normalize(s.FullPath(o.Path))))).ToList();
        for (var i = 0; i < outs.Count; i++)
        {
            for (var j = i + 1; j < outs.Count; j++)
            {
                if (Overlaps(outs[i].Full, outs[j].Full))
                {
                    var (a, b) = (outs[i], outs[j]);
                    throw new DataException(DataErrorKind.InvalidInput, a.Stage == b.Stage
                        ? $"{displayName}: stage '{a.Stage.Name}': outputs '{a.Path}' and '{b.Path}' overlap; list each path once."
                        : $"{displayName}: output '{b.Path}' of stage '{b.Stage.Name}' overlaps output '{a.Path}' of stage '{a.Stage.Name}'; one path can have only one producing stage.");
                }
            }
        }

        var upstream = stages.ToDictionary(s => s.Name, _ => new List<string>(), StringComparer.Ordinal);
        var downstream = stages.ToDictionary(s => s.Name, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            foreach (var input in Inputs(stage))
            {
                foreach (var (producer, path, full) in outs)
                {
                    if (!Overlaps(input, full))
                    {
                        continue;
                    }

                    if (producer == stage)
                    {
                        throw new DataException(DataErrorKind.InvalidInput, $"{displayName}: the pipeline has a cycle: stage '{stage.Name}' depends on its own output '{path}'.");
                    }

                    if (!upstream[stage.Name].Contains(producer.Name))
                    {
                        upstream[stage.Name].Add(producer.Name);
                        downstream[producer.Name].Add(stage.Name);
                    }
                }
            }
        }

        return new PipelineGraph(Order(stages, upstream, downstream, displayName), upstream, downstream);
    }

    /// <summary>The full paths a stage reads: its deps and its params files.</summary>
    public static IEnumerable<string> Inputs(PipelineStage stage) =>
        stage.Deps.Concat(stage.Params.Select(p => p.File)).Select(p => Normalize(stage.FullPath(p))).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The stages to consider for targets (stage names, group names, or <c>dvc.yaml:name</c>) with their upstream,
    /// or only the targets with <paramref name="singleItem"/>; all stages when there are no targets. In dependency order.
    /// </summary>
    public IReadOnlyList<PipelineStage> Select(IReadOnlyList<string> targets, bool singleItem)
    {
        if (targets.Count == 0)
        {
            return Stages;
        }

        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in targets)
        {
            var target = raw.Contains(':', StringComparison.Ordinal) ? raw[(raw.LastIndexOf(':') + 1)..] : raw;
            var matches = Stages.Where(s => s.Name == target || s.Group == target).Select(s => s.Name).ToList();
            if (matches.Count == 0)
            {
                throw new DataException(DataErrorKind.NotFound, $"No stage '{target}' in the pipeline. Stages: {string.Join(", ", Stages.Select(s => s.Name))}.");
            }

            foreach (var name in matches)
            {
                if (singleItem)
                {
                    chosen.Add(name);
                }
                else
                {
                    AddWithUpstream(name, chosen);
                }
            }
        }

        return Stages.Where(s => chosen.Contains(s.Name)).ToList();
    }

    private void AddWithUpstream(string name, HashSet<string> chosen)
    {
        if (chosen.Add(name))
        {
            foreach (var up in _upstream[name])
            {
                AddWithUpstream(up, chosen);
            }
        }
    }

    /// <summary>Deps that do not exist and that no stage produces: (stage, dep as written).</summary>
    public IEnumerable<(PipelineStage Stage, string Dep)> MissingDependencies(IEnumerable<PipelineStage> stages)
    {
        var outs = Stages.SelectMany(s => s.Outs.Select(o => Normalize(s.FullPath(o.Path)))).ToList();
        foreach (var stage in stages)
        {
            foreach (var dep in stage.Deps)
            {
                var full = Normalize(stage.FullPath(dep));
                if (!File.Exists(full) && !Directory.Exists(full) && !outs.Any(o => Overlaps(o, full)))
                {
                    yield return (stage, dep);
                }
            }
        }
    }

    private static List<PipelineStage> Order(IReadOnlyList<PipelineStage> stages, Dictionary<string, List<string>> upstream, Dictionary<string, List<string>> downstream, string displayName)
    {
        // Kahn's algorithm, always taking the earliest stage in file order that is ready, so the order is stable.
        var remaining = stages.ToDictionary(s => s.Name, s => upstream[s.Name].Count, StringComparer.Ordinal);
        var ordered = new List<PipelineStage>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < stages.Count)
        {
            var next = stages.FirstOrDefault(s => !done.Contains(s.Name) && remaining[s.Name] == 0);
            if (next is null)
            {
                throw new DataException(DataErrorKind.InvalidInput, $"{displayName}: the pipeline has a cycle: {DescribeCycle(stages.Where(s => !done.Contains(s.Name)).ToList(), upstream)}; remove one of these deps.");
            }

            ordered.Add(next);
            done.Add(next.Name);
            foreach (var down in downstream[next.Name])
            {
                remaining[down]--;
            }
        }

        return ordered;
    }

    // Walks producers from a stage left in the cycle until a stage repeats: the repeated stretch is the cycle.
    private static string DescribeCycle(List<PipelineStage> left, Dictionary<string, List<string>> upstream)
    {
        var names = left.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var path = new List<string>();
        var current = left[0].Name;
        while (!path.Contains(current))
        {
            path.Add(current);
            current = upstream[current].First(names.Contains);
        }

        var cycle = path[path.IndexOf(current)..];
        cycle.Reverse();
        // Start at the stage written first in dvc.yaml, so the message is the same however the walk began.
        var first = cycle.IndexOf(left.First(s => cycle.Contains(s.Name)).Name);
        cycle = [.. cycle[first..], .. cycle[..first]];
        cycle.Add(cycle[0]);
        return string.Join(" -> ", cycle.Select(n => $"'{n}'"));
    }

    public static string Normalize(string fullPath) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(fullPath));

    /// <summary>Equal paths, or one inside the other.</summary>
    public static bool Overlaps(string a, string b) =>
        a == b
        || (a.Length > b.Length && a.StartsWith(b, StringComparison.Ordinal) && a[b.Length] == Path.DirectorySeparatorChar)
        || (b.Length > a.Length && b.StartsWith(a, StringComparison.Ordinal) && b[a.Length] == Path.DirectorySeparatorChar);
}
