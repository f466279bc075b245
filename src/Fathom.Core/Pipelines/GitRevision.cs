using System.Diagnostics;

namespace Fathom.Pipelines;

/// <summary>Reads a file as it was at a git revision (<c>git show REV:./path</c>), for metrics and params diffs.</summary>
internal static class GitRevision
{
    /// <summary>The file's text at <paramref name="revision"/>, or null when it did not exist there; throws when the revision is unknown.</summary>
    public static async Task<string?> ReadAsync(string folder, string revision, string relativePath, CancellationToken cancellationToken)
    {
        var (code, output, error) = await GitAsync(folder, cancellationToken, "rev-parse", "--verify", "--quiet", revision + "^{commit}");
        if (code != 0)
        {
            throw new Data.DataException(Data.DataErrorKind.NotFound, $"Unknown git revision '{revision}' in '{folder}'{(error.Length > 0 ? ": " + error.Trim() : "")}.");
        }

        (code, output, _) = await GitAsync(folder, cancellationToken, "show", $"{revision}:./{relativePath}");
        return code == 0 ? output : null;
    }

    /// <summary>The names of the local branches, sorted.</summary>
    public static async Task<IReadOnlyList<string>> BranchesAsync(string folder, CancellationToken cancellationToken)
    {
        var (code, output, error) = await GitAsync(folder, cancellationToken, "for-each-ref", "--format=%(refname:short)", "refs/heads");
        if (code != 0)
        {
            throw new Data.DataException(Data.DataErrorKind.InvalidInput, $"Cannot list the git branches of '{folder}': {error.Trim()}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<(int Code, string Output, string Error)> GitAsync(string folder, CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
