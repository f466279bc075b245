using System.Diagnostics;

namespace Fathom.Lineage;

/// <summary>
/// Reads the commit, dirty flag, branch and remote by running the git CLI: the one tool that reads every
/// repository layout correctly (worktrees, packed refs, submodules). No git or no repository gives null.
/// </summary>
internal static class GitProbe
{
    public static async Task<GitInfo?> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        var commit = await RunGitAsync(directory, cancellationToken, "rev-parse", "HEAD");
        if (commit is null)
        {
            return null;
        }

        var status = await RunGitAsync(directory, cancellationToken, "status", "--porcelain", "--untracked-files=no");
        var branch = await RunGitAsync(directory, cancellationToken, "rev-parse", "--abbrev-ref", "HEAD");
        var remote = await RunGitAsync(directory, cancellationToken, "config", "--get", "remote.origin.url");
        return new GitInfo(commit, !string.IsNullOrEmpty(status), branch is null or "HEAD" ? null : branch, string.IsNullOrEmpty(remote) ? null : remote);
    }

    private static async Task<string?> RunGitAsync(string directory, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // git is not installed
        }
    }
}
