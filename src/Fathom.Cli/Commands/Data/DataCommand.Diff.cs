using System.CommandLine;
using Fathom.Data;

namespace Fathom.Cli.Commands.Data;

internal static partial class DataCommand
{
    // DVC's order of sections in text and Markdown output (its JSON keeps added, deleted, modified, renamed).
    private static readonly string[] DiffStates = ["added", "deleted", "renamed", "modified", "not in cache"];

    private static readonly string[] DiffJsonStates = ["added", "deleted", "modified", "renamed", "not in cache"];

    private static Command Diff()
    {
        var a = new Argument<string?>("a_rev") { Description = "Old git revision (default: HEAD).", Arity = ArgumentArity.ZeroOrOne };
        var b = new Argument<string?>("b_rev") { Description = "New git revision (default: the workspace).", Arity = ArgumentArity.ZeroOrOne };
        var showHash = new Option<bool>("--show-hash") { Description = "Show the md5s as well." };
        var markdown = new Option<bool>("--md") { Description = "Print a Markdown (GitHub) table." };
        var hideMissing = new Option<bool>("--hide-missing") { Description = "Leave out the 'not in cache' entries (always left out when comparing two revisions)." };
        var targets = new Option<string[]>("--targets")
        {
            Description = "Limit the comparison to these tracked files or folders (or files inside tracked folders).",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "paths",
        };
        var command = new Command("diff", "Show tracked files added, deleted, modified or renamed between two git revisions, or a revision and the workspace.") { a, b, targets, showHash, markdown, hideMissing };
        return command.WithAction((parse, cli, ct) =>
        {
            var workspace = DataWorkspace.Open(Directory.GetCurrentDirectory());
            // As dvc diff, targets are paths from the current folder; the diff names paths from the repository root.
            var within = (parse.GetValue(targets) ?? []).Select(t => workspace.Repository.Relative(Path.GetFullPath(t, Directory.GetCurrentDirectory()))).ToList();
            var diff = workspace.Diff(parse.GetValue(a), parse.GetValue(b), ct).Within(within);
            // As dvc diff: what is not in the cache matters only against the workspace, and only when asked.
            var withMissing = parse.GetValue(b) is null && !parse.GetValue(hideMissing);
            var rows = DiffRows(diff, withMissing);
            var hashes = parse.GetValue(showHash);
            if (cli.Json)
            {
                WriteDiffJson(cli, rows, diff.IsEmpty && diff.NotInCache.Count == 0, withMissing, hashes);
            }
            else if (parse.GetValue(markdown))
            {
                WriteDiffMarkdown(cli.HumanText, rows, hashes);
            }
            else
            {
                WriteDiffText(cli.HumanText, rows, hashes);
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }

    /// <summary>One row per entry and state, in DVC's section order, each section sorted by (old) path.</summary>
    private static List<(string State, string Path, string? OldPath, string? Hash, string? NewHash)> DiffRows(DataDiff diff, bool withMissing)
    {
        var rows = new List<(string, string, string?, string?, string?)>();
        foreach (var state in DiffStates)
        {
            IEnumerable<(string, string, string?, string?, string?)> entries = state switch
            {
                "added" => diff.Added.Select(e => (state, e.Path, (string?)null, e.NewMd5, (string?)null)),
                "deleted" => diff.Deleted.Select(e => (state, e.Path, (string?)null, e.OldMd5, (string?)null)),
                "renamed" => diff.Renamed.Select(r => (state, r.NewPath, (string?)r.OldPath, (string?)r.Md5, (string?)null)),
                "modified" => diff.Modified.Select(e => (state, e.Path, (string?)null, e.OldMd5, e.NewMd5)),
                _ => withMissing ? diff.NotInCache.Select(e => (state, e.Path, (string?)null, e.OldMd5, (string?)null)) : [],
            };
            rows.AddRange(entries.OrderBy(e => e.Item3 ?? e.Item2, StringComparer.Ordinal));
        }

        return rows;
    }

    private static string DiffPath((string State, string Path, string? OldPath, string? Hash, string? NewHash) row) =>
        row.OldPath is null ? row.Path : $"{row.OldPath} -> {row.Path}";

    private static string DiffHash((string State, string Path, string? OldPath, string? Hash, string? NewHash) row) =>
        row.NewHash is null ? Short(row.Hash) : $"{Short(row.Hash)}..{Short(row.NewHash)}";

    /// <summary>DVC's JSON: <c>{}</c> when nothing changed, else every section (renamed paths as <c>{old, new}</c>).</summary>
    private static void WriteDiffJson(CliContext cli, List<(string State, string Path, string? OldPath, string? Hash, string? NewHash)> rows, bool empty, bool withMissing, bool hashes)
    {
        var json = new Dictionary<string, List<Dictionary<string, object?>>>();
        if (!empty)
        {
            foreach (var state in DiffJsonStates.Where(s => withMissing || s != "not in cache"))
            {
                json[state] = rows.Where(r => r.State == state).Select(r =>
                {
                    var entry = new Dictionary<string, object?> { ["path"] = r.OldPath is null ? r.Path : new Dictionary<string, string> { ["old"] = r.OldPath, ["new"] = r.Path } };
                    if (hashes)
                    {
                        entry["hash"] = r.NewHash is null ? r.Hash : new Dictionary<string, string?> { ["old"] = r.Hash, ["new"] = r.NewHash };
                    }

                    return entry;
                }).ToList();
            }
        }

        cli.WriteJson(json);
    }

    /// <summary>DVC's text: a section per state with entries indented four spaces, then a summary counting files (not folders).</summary>
    private static void WriteDiffText(TextWriter output, List<(string State, string Path, string? OldPath, string? Hash, string? NewHash)> rows, bool hashes)
    {
        foreach (var section in rows.GroupBy(r => r.State))
        {
            output.WriteLine($"{char.ToUpperInvariant(section.Key[0])}{section.Key[1..]}:");
            foreach (var row in section)
            {
                output.WriteLine(hashes && row.Hash is not null ? $"    {DiffHash(row)}  {DiffPath(row)}" : $"    {DiffPath(row)}");
            }

            output.WriteLine();
        }

        var counts = rows.Where(r => !r.Path.EndsWith('/')).GroupBy(r => r.State).Select(g => $"{g.Count()} {g.Key}").ToList();
        if (counts.Count > 0)
        {
            output.WriteLine($"files summary: {string.Join(", ", counts)}");
        }
    }

    /// <summary>DVC's <c>--md</c>: a GitHub table (columns at least two wider than their header, as tabulate pads them) and a blank line.</summary>
    private static void WriteDiffMarkdown(TextWriter output, List<(string State, string Path, string? OldPath, string? Hash, string? NewHash)> rows, bool hashes)
    {
        string[] headers = hashes ? ["Status", "Hash", "Path"] : ["Status", "Path"];
        var cells = rows.Select(r => hashes ? new[] { r.State, DiffHash(r), DiffPath(r) } : [r.State, DiffPath(r)]).ToList();
        var widths = headers.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length + 2).Max()).ToArray();
        string Line(IReadOnlyList<string> values) => "| " + string.Join(" | ", values.Select((v, i) => v.PadRight(widths[i]))) + " |";
        output.WriteLine(Line(headers));
        output.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in cells)
        {
            output.WriteLine(Line(row));
        }

        output.WriteLine();
    }
}
