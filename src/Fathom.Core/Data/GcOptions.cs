namespace Fathom.Data;

/// <summary>
/// What <c>gc</c> keeps and where it sweeps, as DVC 3's <c>dvc gc</c> flags say: the workspace always, plus the git
/// revisions of the scopes; the cache always, the remote with <see cref="Cloud"/>.
/// </summary>
internal sealed record GcOptions
{
    /// <summary><c>-w</c>: keep what the workspace references (implied by every other scope, as DVC's brancher includes it).</summary>
    public bool Workspace { get; init; }

    /// <summary><c>-a</c>: also what every branch head references.</summary>
    public bool AllBranches { get; init; }

    /// <summary><c>-T</c>: also what every tagged commit references.</summary>
    public bool AllTags { get; init; }

    /// <summary><c>-A</c>: also what every commit references.</summary>
    public bool AllCommits { get; init; }

    /// <summary><c>--all-experiments</c>: also what every DVC experiment (git refs under <c>refs/exps/</c>) references.</summary>
    public bool AllExperiments { get; init; }

    /// <summary>
    /// <c>-p/--projects</c>: other repositories sharing this cache; what their workspaces (and, with the git scopes, their
    /// revisions) reference is kept too.
    /// </summary>
    public IReadOnlyList<string> Projects { get; init; } = [];

    /// <summary><c>--rev</c>: also what this commit (and, with <see cref="Num"/>, its first-parent ancestors) references.</summary>
    public string? Rev { get; init; }

    /// <summary><c>-n</c>: how many commits from <see cref="Rev"/> along first parents (default 1; negative: all).</summary>
    public int? Num { get; init; }

    /// <summary><c>--date</c>: also what every commit made on or after this day (local midnight) references.</summary>
    public DateOnly? Date { get; init; }

    /// <summary><c>-c</c>: sweep the remote too (both its 3.x <c>files/md5/</c> and its 2.x root layout).</summary>
    public bool Cloud { get; init; }

    /// <summary><c>--not-in-remote</c>: keep in the cache only what the remote does not already hold.</summary>
    public bool NotInRemote { get; init; }

    /// <summary><c>-r</c>: the remote for <see cref="Cloud"/> or <see cref="NotInRemote"/> (default: core.remote).</summary>
    public string? Remote { get; init; }

    /// <summary><c>--dry</c>: list what would go, delete nothing.</summary>
    public bool Dry { get; init; }

    /// <summary>Whether any git revision besides the workspace is kept.</summary>
    public bool UsesGit => AllBranches || AllTags || AllCommits || AllExperiments || Rev is not null || Date is not null;

    /// <summary>DVC's argument rules, with its messages; null when the options are valid.</summary>
    public string? Validate()
    {
        if (Remote is not null && !(Cloud || NotInRemote))
        {
            return "--remote needs --cloud (sweep that remote) or --not-in-remote (keep what that remote lacks).";
        }

        if (NotInRemote && Cloud)
        {
            return "--not-in-remote and --cloud are mutually exclusive.";
        }

        if (!Workspace && !UsesGit)
        {
            return "gc needs a scope: one of -w/--workspace, -a/--all-branches, -T/--all-tags, --all-experiments, -A/--all-commits, --date or --rev; what they reference is kept.";
        }

        return Num is not null && Rev is null ? "--num can only be used alongside --rev." : null;
    }
}
