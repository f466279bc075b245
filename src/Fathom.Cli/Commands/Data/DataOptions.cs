using System.CommandLine;
using Fathom.Data;

namespace Fathom.Cli.Commands.Data;

/// <summary>Options and arguments shared by the <c>fathom data</c> commands (named as DVC names them).</summary>
internal static class DataOptions
{
    public static Argument<string[]> Targets(string description) => new("targets") { Description = description, Arity = ArgumentArity.ZeroOrMore };

    /// <summary>Targets of the commands that also act on pipeline outs (push, fetch, pull, checkout, status -c).</summary>
    public static Argument<string[]> PipelineTargets() =>
        Targets("Data paths or .dvc files, stage out paths or stage names (default: every .dvc output and cached dvc.lock out).");

    public static Option<int?> Jobs() => new("--jobs", "-j") { Description = "Parallel workers for hashing and transfers (default: the number of cores)." };

    public static Option<string?> Remote() => new("--remote", "-r") { Description = "Remote name (default: core.remote in .dvc/config)." };

    /// <summary>The workspace of the current folder, able to reach S3 and GCS remotes; <paramref name="jobs"/> as given by the user.</summary>
    public static DataWorkspace OpenWorkspace(int? jobs) => new(DvcRepository.Discover(Directory.GetCurrentDirectory()), jobs)
    {
        Remotes = S3DataRemotes.Register(new BlobStoreResolver()),
        TransferJobs = jobs,
    };

    public static int? ValidJobs(int? jobs) => jobs is null or (>= 1 and <= 256) ? jobs : throw new CliInputException($"--jobs must be between 1 and 256 (got {jobs}).");
}
