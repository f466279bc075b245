namespace Fathom.Pipelines;

internal static partial class PipelineComparison
{
    /// <summary>Each metrics file's parsed document at a revision (null = workspace); missing files are left out.</summary>
    public static async Task<SortedDictionary<string, object?>> MetricsDocumentsAsync(PipelineProject project, string? revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        var result = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var file in project.MetricsFiles())
        {
            if (await ReadAsync(project, file, revision, cancellationToken) is { } text)
            {
                result[file] = MetricsFiles.ParseDocument(text, revision is null ? file : $"{revision}:{file}");
            }
        }

        return result;
    }

    /// <summary>The local git branches (<c>dvc metrics show -a</c> shows each besides the workspace).</summary>
    public static async Task<IReadOnlyList<string>> BranchesAsync(PipelineProject project, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(project);
        RequireGit(project);
        return await GitRevision.BranchesAsync(project.Pipeline.Folder, cancellationToken);
    }
}
