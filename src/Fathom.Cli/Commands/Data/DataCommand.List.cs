using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fathom.Cli.Rendering;
using Fathom.Data;

namespace Fathom.Cli.Commands.Data;

internal static partial class DataCommand
{
    private static Command List()
    {
        var url = new Argument<string>("url") { Description = "Location of the DVC repository: a local folder, or a git URL (cloned shallowly to a temporary folder)." };
        var path = new Argument<string?>("path") { Description = "Path inside the repository to list (default: its root).", Arity = ArgumentArity.ZeroOrOne };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "Recursively list files." };
        var level = new Option<int?>("--level", "-L") { Description = "Limit the depth of recursion.", HelpName = "depth" };
        var dvcOnly = new Option<bool>("--dvc-only") { Description = "Show only DVC outputs." };
        var size = new Option<bool>("--size") { Description = "Show sizes." };
        var showHash = new Option<bool>("--show-hash") { Description = "Display hash value for each item." };
        var command = new Command("ls", "List repository contents, including files and directories tracked by DVC and by Git (as 'dvc ls').")
        {
            url, path, recursive, level, dvcOnly, size, showHash,
        };
        return command.WithAction((parse, cli, ct) =>
        {
            var location = parse.GetValue(url)!;
            string? clone = null;
            try
            {
                if (!Directory.Exists(location) && LooksLikeGitUrl(location))
                {
                    clone = Path.Combine(Path.GetTempPath(), $"fathom-ls-{Guid.NewGuid():N}");
                    ShallowClone(location, clone);
                }

                var workspace = DataWorkspace.Open(clone ?? Path.GetFullPath(location));
                IReadOnlyList<LsEntry> entries;
                try
                {
                    entries = workspace.List(parse.GetValue(path), parse.GetValue(recursive), parse.GetValue(dvcOnly), parse.GetValue(level));
                }
                catch (FileNotFoundException e)
                {
                    // dvc ls's words for a path that is neither in the workspace nor tracked, and its exit code.
                    Console.Error.WriteLine($"ERROR: {e.Message}");
                    return Task.FromResult(ExitCodes.Failure);
                }

                if (cli.Json)
                {
                    Console.Out.WriteLine(LsJson(entries));
                }
                else if (entries.Count > 0)
                {
                    Console.Out.Write(LsText(entries, parse.GetValue(size), parse.GetValue(showHash)));
                }

                return Task.FromResult(ExitCodes.Success);
            }
            finally
            {
                if (clone is not null && Directory.Exists(clone))
                {
                    DeleteClone(clone);
                }
            }
        });
    }

    private static bool LooksLikeGitUrl(string location) =>
        location.Contains("://", StringComparison.Ordinal) || location.StartsWith("git@", StringComparison.Ordinal) || location.EndsWith(".git", StringComparison.Ordinal);

    private static void ShallowClone(string url, string folder)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "clone", "--quiet", "--depth", "1", url, folder })
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start) ?? throw new CliInputException("Cannot run git to clone the repository.");
        var error = git.StandardError.ReadToEndAsync();
        git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            throw new CliInputException($"Cannot clone '{url}': {error.Result.Trim()}");
        }
    }

    private static void DeleteClone(string clone)
    {
        // git writes its objects read-only; clear that so the folder can go.
        foreach (var file in Directory.EnumerateFiles(clone, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(clone, recursive: true);
    }

    /// <summary>DVC's <c>--json</c>: Python's <c>json.dumps</c> of the entries (one line, ", " and ": " separators, nulls kept).</summary>
    private static string LsJson(IReadOnlyList<LsEntry> entries)
    {
        var sb = new StringBuilder("[");
        foreach (var e in entries)
        {
            sb.Append(sb.Length > 1 ? ", " : "")
                .Append("{\"isout\": ").Append(e.IsOut ? "true" : "false")
                .Append(", \"isdir\": ").Append(e.IsDir ? "true" : "false")
                .Append(", \"isexec\": ").Append(e.IsExec ? "true" : "false")
                .Append(", \"size\": ").Append(e.Size?.ToString(CultureInfo.InvariantCulture) ?? "null")
                .Append(", \"md5\": ").Append(e.Md5 is null ? "null" : PythonJson.Quote(e.Md5))
                .Append(", \"path\": ").Append(PythonJson.Quote(e.Path)).Append('}');
        }

        return sb.Append(']').ToString();
    }

    /// <summary>
    /// DVC's text: one path per line, colored by <c>LS_COLORS</c> (DVC's default colors folders and executables, also
    /// into a pipe); with <c>--size</c> or <c>--show-hash</c> a tabulate "plain" table, sizes right-aligned.
    /// </summary>
    private static string LsText(IReadOnlyList<LsEntry> entries, bool size, bool hash)
    {
        var colors = LsColors.FromEnvironment();
        if (!size && !hash)
        {
            return string.Join('\n', entries.Select(colors.Format)) + "\n";
        }

        var rows = entries.Select(e =>
        {
            var cells = new List<string>();
            if (size)
            {
                cells.Add(e.Size is not { } n || (n <= 0 && e.IsDir) ? "" : Format.NaturalSize(n));
            }

            if (hash)
            {
                cells.Add(e.Md5 ?? "");
            }

            cells.Add(colors.Format(e));
            return cells;
        }).ToList();
        return LsColors.PlainTable(rows, rightAlignFirst: size);
    }
}
