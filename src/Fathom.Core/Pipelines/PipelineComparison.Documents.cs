namespace Fathom.Pipelines;

internal static partial class PipelineComparison
{
    /// <summary>Each metrics file's parsed document at a revision (null = workspace); missing files are left out.</summary>
    public static async Task<SortedDictionary<string, object?>> MetricsDocumentsAsync(PipelineProject project, string? revision, IReadOnlyList<string>? files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        var result = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var file in files ?? project.MetricsFiles())
        {
            if (await ReadAsync(project, file, revision, cancellationToken) is { } text)
            {
                result[file] = MetricsFiles.ParseDocument(text, revision is null ? file : $"{revision}:{file}");
            }
        }

        return result;
    }

    /// <summary>
    /// The files a <c>--targets</c> list (or <c>metrics show</c>'s targets) names, relative to dvc.yaml's folder: each
    /// file as given, even when dvc.yaml does not list it (as DVC reads it); with <paramref name="recursive"/>, a folder
    /// stands for the <paramref name="tracked"/> files inside it. No targets: null, meaning every tracked file.
    /// </summary>
    public static IReadOnlyList<string>? TargetFiles(PipelineProject project, IReadOnlyList<string> targets, bool recursive, IEnumerable<string> tracked)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0)
        {
            return null;
        }

        var files = new List<string>();
        foreach (var target in targets)
        {
            var relative = project.Relative(Path.GetFullPath(target));
            if (recursive && Directory.Exists(Path.GetFullPath(target)))
            {
                var prefix = relative == "." ? "" : relative.TrimEnd('/') + "/";
                files.AddRange(tracked.Where(f => f.StartsWith(prefix, StringComparison.Ordinal)));
            }
            else
            {
                files.Add(relative);
            }
        }

        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The local git branches (<c>dvc metrics show -a</c> shows each besides the workspace).</summary>
    public static async Task<IReadOnlyList<string>> BranchesAsync(PipelineProject project, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        RequireGit(project);
        return await GitRevision.BranchesAsync(project.Pipeline.Folder, cancellationToken);
    }
}
