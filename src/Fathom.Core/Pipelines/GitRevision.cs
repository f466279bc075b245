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

    /// <summary>The branch HEAD is on, or null when it is detached (or the folder is not in a git repository).</summary>
    public static async Task<string?> ActiveBranchAsync(string folder, CancellationToken cancellationToken)
    {
        var (code, output, _) = await GitAsync(folder, cancellationToken, "symbolic-ref", "--quiet", "--short", "HEAD");
        return code == 0 && output.Trim() is { Length: > 0 } name ? name : null;
    }

    /// <summary>
    /// The revisions <c>dvc metrics show -a/-T/-A</c> walks, as DVC's brancher names them: branches and tags by name
    /// (several names of one commit joined by ",", as <c>",".join(names)</c>), every commit (<c>-A</c>) by its full sha;
    /// each with its commit.
    /// </summary>
    public static async Task<IReadOnlyList<(string Label, string Commit)>> RevisionsAsync(string folder, bool allBranches, bool allTags, bool allCommits, CancellationToken cancellationToken)
    {
        var named = new List<(string Name, string Commit)>();
        foreach (var (wanted, refs) in new[] { (allBranches && !allCommits, "refs/heads"), (allTags && !allCommits, "refs/tags") })
        {
            if (!wanted)
            {
                continue;
            }

            // %(*objectname) is the commit an annotated tag points at; empty for branches and lightweight tags.
            var (code, output, error) = await GitAsync(folder, cancellationToken, "for-each-ref", "--format=%(refname:short)%09%(objectname)%09%(*objectname)", refs);
            if (code != 0)
            {
                throw new Data.DataException(Data.DataErrorKind.InvalidInput, $"Cannot list the git references of '{folder}': {error.Trim()}");
            }

            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split('\t');
                named.Add((fields[0], fields.Length > 2 && fields[2].Length > 0 ? fields[2] : fields[1]));
            }
        }

        if (allCommits)
        {
            var (code, output, error) = await GitAsync(folder, cancellationToken, "rev-list", "--all");
            if (code != 0)
            {
                throw new Data.DataException(Data.DataErrorKind.InvalidInput, $"Cannot list the git commits of '{folder}': {error.Trim()}");
            }

            named.AddRange(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(sha => (sha, sha)));
        }

        return named.GroupBy(n => n.Commit, StringComparer.Ordinal).Select(g => (string.Join(',', g.Select(n => n.Name)), g.Key)).ToList();
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
