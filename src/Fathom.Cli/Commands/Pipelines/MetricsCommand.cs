using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Pipelines;
using Spectre.Console;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary><c>fathom metrics show|diff</c>: the pipeline's metrics files, now or compared with a git revision.</summary>
internal static class MetricsCommand
{
    /// <summary>DVC rounds metrics to 5 digits after the point unless <c>--precision</c> says otherwise.</summary>
    public const int DefaultPrecision = 5;

    public static Command Create()
    {
        var command = new Command("metrics", "Show the pipeline's metrics files or compare them between git revisions.");
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Diff());
        return command;
    }

    /// <summary><c>--md</c>: a Markdown table instead of the plain one.</summary>
    public static Option<bool> MarkdownOption() => new("--md") { Description = "Print the table in Markdown (GitHub-flavoured)." };

    /// <summary><c>--precision N</c>, validated.</summary>
    public static Option<int?> PrecisionOption() => new("--precision") { Description = $"Round numbers to N digits after the point (default {DefaultPrecision})." };

    // DVC passes "precision or DEFAULT_PRECISION", so 0 means the default too.
    public static int Precision(int? value) => value switch
    {
        null or 0 => DefaultPrecision,
        > 0 and <= 15 => value.Value,
        _ => throw new CliInputException($"--precision must be between 0 and 15 (got {value})."),
    };

    /// <summary><c>-R</c>: folder targets stand for the metrics (or params) files inside them.</summary>
    public static Option<bool> RecursiveOption() => new("--recursive", "-R") { Description = "Targets that are folders: every tracked file inside them." };

    /// <summary><c>--no-path</c>: leave the Path column out of a diff table.</summary>
    public static Option<bool> NoPathOption() => new("--no-path") { Description = "Do not show the Path column." };

    /// <summary><c>--targets FILE…</c> of <c>metrics diff</c> and <c>params diff</c>.</summary>
    public static Option<string[]> TargetsOption(string what) => new("--targets") { Description = $"Only these {what} files (even ones dvc.yaml does not list); default: all tracked ones.", AllowMultipleArgumentsPerToken = true };

    private static Command Show()
    {
        var targets = new Argument<string[]>("targets") { Description = "Only these metrics files (even ones dvc.yaml does not list); with -R, folders too.", Arity = ArgumentArity.ZeroOrMore };
        var allBranches = new Option<bool>("--all-branches", "-a") { Description = "Also show the metrics of every git branch." };
        var allTags = new Option<bool>("--all-tags", "-T") { Description = "Also show the metrics of every git tag." };
        var allCommits = new Option<bool>("--all-commits", "-A") { Description = "Also show the metrics of every git commit." };
        var recursive = RecursiveOption();
        var markdown = MarkdownOption();
        var precision = PrecisionOption();
        var command = new Command("show", "Print the values of every metrics file (top-level 'metrics' and stages' 'metrics' outs).")
        {
            targets, allBranches, allTags, allCommits, recursive, markdown, precision,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var digits = Precision(parse.GetValue(precision));
            // Every dvc.yaml of the repository, paths relative to the current folder, as DVC's repository index.
            var project = PipelineSet.Open(Directory.GetCurrentDirectory()).Combined();
            var files = PipelineComparison.TargetFiles(project, parse.GetValue(targets)!, parse.GetValue(recursive), project.MetricsFiles());
            var (branches, tags, commits) = (parse.GetValue(allBranches), parse.GetValue(allTags), parse.GetValue(allCommits));
            var withRevision = branches || tags || commits;
            // DVC's brancher names the workspace "" when no revision is asked for, else "workspace" beside the revisions.
            var revisions = new List<(string Label, string? Revision)> { (withRevision ? PipelineComparison.Workspace : "", null) };
            if (withRevision)
            {
                PipelineComparison.RequireGit(project);
                revisions.AddRange((await GitRevision.RevisionsAsync(project.Pipeline.Folder, branches, tags, commits, ct)).Select(r => (r.Label, (string?)r.Commit)));
            }

            var documents = new List<(string Label, SortedDictionary<string, object?> Files)>();
            foreach (var (label, revision) in revisions)
            {
                documents.Add((label, await PipelineComparison.MetricsDocumentsAsync(project, revision, files, ct)));
            }

            // DVC's _hide_workspace: with revisions, the workspace is left out when it holds what the active branch holds.
            if (withRevision && await GitRevision.ActiveBranchAsync(project.Pipeline.Folder, ct) is { } active
                && documents.FindIndex(d => d.Label == active) is > 0 and var branch && SameDocuments(documents[0].Files, documents[branch].Files))
            {
                documents.RemoveAt(0);
            }

            if (cli.Json)
            {
                // DVC 3's shape: {"": {"data": {"metrics.json": {"data": {…}}}}}; with revisions {"workspace": {…}, "main": {…}}.
                cli.WritePythonJson(documents.ToDictionary(d => d.Label, d => new { data = d.Files.ToDictionary(f => f.Key, f => new { data = f.Value }) }));
                return ExitCodes.Success;
            }

            if (documents.All(d => d.Files.Count == 0))
            {
                cli.Error.WriteLine("No metrics files found: list them under 'metrics' in dvc.yaml (and run 'fathom repro').");
                return ExitCodes.Success;
            }

            // DVC's show_metrics adds the Revision column whenever -a, -T or -A asks for revisions.
            var flat = documents.SelectMany(d => d.Files.Select(f => (d.Label, File: f.Key, Values: MetricsFiles.Leaves(f.Value)))).ToList();
            var keys = flat.SelectMany(f => f.Values.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
            var headers = (withRevision ? new List<string> { "Revision", "Path" } : ["Path"]).Concat(keys).ToList();
            var rows = flat.Select(f => (IReadOnlyList<string>)(withRevision ? [f.Label, f.File] : new List<string> { f.File })
                .Concat(keys.Select(k => f.Values.TryGetValue(k, out var v) ? Number(v, digits) : "-")).ToList()).ToList();
            var text = parse.GetValue(markdown) ? MarkdownTable.Render(headers, rows) : MarkdownTable.RenderPlain(headers, rows);
            cli.Out.Profile.Out.Writer.Write(text);
            return ExitCodes.Success;
        });
    }

    private static Command Diff()
    {
        var a = new Argument<string?>("a_rev") { Description = "Old git revision (default: HEAD).", Arity = ArgumentArity.ZeroOrOne };
        var b = new Argument<string?>("b_rev") { Description = "New git revision (default: the workspace).", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Also list metrics that did not change." };
        var targets = TargetsOption("metrics");
        var recursive = RecursiveOption();
        var noPath = NoPathOption();
        var markdown = MarkdownOption();
        var precision = PrecisionOption();
        var command = new Command("diff", "Compare metrics between two git revisions, or a revision and the workspace.") { a, b, targets, recursive, all, noPath, markdown, precision };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var digits = Precision(parse.GetValue(precision));
            // Every dvc.yaml of the repository, paths relative to the current folder, as DVC's repository index.
            var project = PipelineSet.Open(Directory.GetCurrentDirectory()).Combined();
            PipelineComparison.RequireGit(project);
            var (oldRev, newRev) = (parse.GetValue(a) ?? "HEAD", parse.GetValue(b));
            var files = PipelineComparison.TargetFiles(project, parse.GetValue(targets) ?? [], parse.GetValue(recursive), project.MetricsFiles());
            var changes = await PipelineComparison.MetricsDiffAsync(project, oldRev, newRev, files, ct);
            DiffTable.Render(cli, changes, "Metric", oldRev, newRev ?? PipelineComparison.Workspace, parse.GetValue(all), withChange: true, parse.GetValue(markdown), digits, parse.GetValue(noPath));
            return ExitCodes.Success;
        });
    }

    // Python's == on the two results: the same files, each with equal values (1 == 1.0).
    private static bool SameDocuments(SortedDictionary<string, object?> a, SortedDictionary<string, object?> b) =>
        a.Count == b.Count && a.All(f => b.TryGetValue(f.Key, out var other) && PipelineValues.PythonEquals(f.Value, other));

    /// <summary>A table cell as DVC's <c>_format_field</c> makes it: "-" for no value, else Python's <c>str</c> with floats rounded when <paramref name="precision"/> is given.</summary>
    public static string Number(object? value, int? precision = DefaultPrecision) => value is null ? "-" : PythonText.Str(value, precision);
}
