using Fathom.Pipelines;

namespace Fathom.Data;

internal sealed partial class DataWorkspace
{
    /// <summary>
    /// The outputs <c>push</c>, <c>fetch</c>, <c>pull</c>, <c>checkout</c> and <c>status -c</c> act on, as DVC's index
    /// collects them: with no targets every <c>.dvc</c> output and every cached out recorded in a <c>dvc.lock</c>;
    /// otherwise what each target names — a <c>.dvc</c> file or its data, a stage's out path, or a stage (its name in
    /// the <c>dvc.yaml</c> of <paramref name="baseDirectory"/>, or <c>path/to/dvc.yaml:name</c>).
    /// </summary>
    public IReadOnlyList<TrackedOutput> DataAndPipelineOutputs(IReadOnlyList<string> targets, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(targets);
        // Reading the pipelines costs a YAML parse per dvc.yaml; .dvc targets alone do not need it.
        var locked = new Lazy<IReadOnlyList<(string Stage, TrackedOutput Output)>>(() => PipelineObjects.Outputs(Repository));
        if (targets.Count == 0)
        {
            return [.. Outputs([], baseDirectory), .. locked.Value.Select(l => l.Output)];
        }

        var dvcTargets = new List<string>();
        var stageOuts = new List<TrackedOutput>();
        foreach (var target in targets)
        {
            var full = Path.GetFullPath(target, baseDirectory).TrimEnd(Path.DirectorySeparatorChar);
            if ((full.EndsWith(".dvc", StringComparison.Ordinal) && File.Exists(full)) || File.Exists(full + ".dvc"))
            {
                dvcTargets.Add(target);
                continue;
            }

            var matched = locked.Value.Where(l => l.Output.FullPath == full || NamesStage(target, l.Stage, l.Output.DvcFilePath, baseDirectory)).Select(l => l.Output).ToList();
            if (matched.Count == 0)
            {
                throw new DataException(DataErrorKind.NotFound,
                    $"'{target}' is not tracked: it is neither a .dvc file nor the data of one ('{Path.GetFileName(full)}.dvc'), nor a stage or a cached out recorded in a dvc.lock; run 'fathom data add' or 'fathom repro' first.");
            }

            stageOuts.AddRange(matched);
        }

        return [.. Outputs(dvcTargets, baseDirectory), .. stageOuts.Distinct()];
    }

    /// <summary>Whether a target is a stage name: <c>name</c> for the <c>dvc.yaml</c> beside the caller, or <c>file:name</c>.</summary>
    private static bool NamesStage(string target, string stage, string lockPath, string baseDirectory)
    {
        var colon = target.LastIndexOf(':');
        var (file, name) = colon > 0 ? (target[..colon], target[(colon + 1)..]) : (PipelineParser.FileName, target);
        var folder = Path.GetDirectoryName(Path.GetFullPath(file, baseDirectory));
        return name == stage && folder == Path.GetDirectoryName(lockPath);
    }
}
