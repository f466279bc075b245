using System.Runtime.InteropServices;
using Fathom.Data;
using Fathom.Tracking;

namespace Fathom.Lineage;

/// <summary>
/// What a run records about where it came from, without the training code asking: code version (git commit,
/// dirty flag, branch, remote), the command, who/where/what runtime, and the content hash of each input.
/// </summary>
internal static class LineageCollector
{
    public static async Task<IReadOnlyList<Tag>> CollectEnvironmentAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        var tags = new List<Tag>
        {
            new(SystemTags.User, Environment.UserName),
            new(SystemTags.SourceType, Environment.GetEnvironmentVariable("FATHOM_RUN_UUID") is { Length: > 0 } ? "JOB" : "LOCAL"),
            new(SystemTags.SourceName, Environment.ProcessPath ?? Environment.GetCommandLineArgs()[0]),
            new(SystemTags.Command, Truncate(string.Join(' ', Environment.GetCommandLineArgs().Select(QuoteIfNeeded)))),
            new(SystemTags.Host, Environment.MachineName),
            new(SystemTags.OperatingSystem, RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture),
            new(SystemTags.DotnetVersion, RuntimeInformation.FrameworkDescription),
        };

        // A run logged from inside a job (fathom run) names it, so the job's record finds the runs it logged.
        if (Environment.GetEnvironmentVariable("FATHOM_RUN_UUID") is { Length: > 0 } job)
        {
            tags.Add(new Tag(SystemTags.JobRun, job));
            if (Environment.GetEnvironmentVariable("FATHOM_PROJECT") is { Length: > 0 } project)
            {
                tags.Add(new Tag(SystemTags.JobProject, project));
            }
        }

        var git = await GitProbe.ReadAsync(workingDirectory, cancellationToken);
        if (git is not null)
        {
            tags.Add(new Tag(SystemTags.GitCommit, git.Commit));
            tags.Add(new Tag(SystemTags.GitDirty, git.IsDirty ? "true" : "false"));
            if (git.Branch is not null)
            {
                tags.Add(new Tag(SystemTags.GitBranch, git.Branch));
            }

            if (git.RemoteUrl is not null)
            {
                tags.Add(new Tag(SystemTags.GitRepoUrl, git.RemoteUrl));
            }
        }

        return tags;
    }

    /// <summary>Hashes each declared input (DVC's hash) into a tag and an MLflow data set input.</summary>
    public static async Task<(IReadOnlyList<Tag> Tags, IReadOnlyList<DatasetInput> Inputs)> HashInputsAsync(
        IReadOnlyDictionary<string, string> inputs, CancellationToken cancellationToken)
    {
        var tags = new List<Tag>();
        var datasets = new List<DatasetInput>();
        foreach (var (name, path) in inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            var hash = await DvcHash.HashPathAsync(path, cancellationToken);
            tags.Add(new Tag(SystemTags.DataPrefix + name, hash.Md5));
            var source = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["uri"] = Path.GetFullPath(path) });
            var profile = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, long> { ["size"] = hash.Size, ["nfiles"] = hash.FileCount });
            datasets.Add(new DatasetInput(new Dataset(name, hash.Md5, "local", source, Profile: profile), [new Tag("mlflow.data.context", name)]));
        }

        return (tags, datasets);
    }

    private static string QuoteIfNeeded(string argument) => argument.Contains(' ', StringComparison.Ordinal) ? $"\"{argument}\"" : argument;

    private static string Truncate(string value) =>
        value.Length <= TrackingValidation.MaxRunTagValueLength ? value : value[..(TrackingValidation.MaxRunTagValueLength - 1)] + "…";
}
