using System.CommandLine;
using Fathom.Data;
using Fathom.Pipelines;
using Spectre.Console;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary>
/// <c>fathom status [TARGET…]</c>: DVC's <c>dvc status</c> — which stages of the repository's <c>dvc.yaml</c> files and
/// which <c>.dvc</c>-tracked outputs changed and why, in DVC's text and <c>--json</c> shapes.
/// </summary>
internal static class StatusCommand
{
    // DVC's CmdDataStatus pads each state to this width after its colon.
    private const int StateWidth = 20;

    public static Command Create()
    {
        var targets = new Argument<string[]>("targets") { Description = "Stages (name, path/dvc.yaml:name), dvc.yaml files, .dvc files or tracked paths (default: everything).", Arity = ArgumentArity.ZeroOrMore };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "Folder targets: every dvc.yaml inside them." };
        var withDeps = new Option<bool>("--with-deps") { Description = "Also show the stages the targets depend on." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing; exit 1 when something changed, 0 when all is up to date." };
        var command = new Command("status", "Show which pipeline stages and tracked data changed (changed deps, changed outs, changed command, always changed).")
        {
            targets, recursive, withDeps, quiet,
        };
        return command.WithAction((parse, cli, ct) =>
        {
            var cwd = Directory.GetCurrentDirectory();
            // dvc.yaml files for the stages and .dvc files for the data, from one walk of the repository.
            var repository = DvcRepository.Discover(cwd);
            repository.FindMetafilesInOneWalk();
            var set = PipelineSet.Load(repository, cwd, PipelineFiles.Find(repository, repository.Root));
            var all = parse.GetValue(targets)!;
            // A .dvc file, or a path with one beside it, is tracked data; everything else names stages (as DVC's collect).
            var data = all.Where(t => t.EndsWith(".dvc", StringComparison.Ordinal) || File.Exists(Path.GetFullPath(t, cwd).TrimEnd('/') + ".dvc")).ToList();
            var stageTargets = all.Except(data).ToList();
            var stages = all.Length == 0 ? set.Graph.Stages
                : stageTargets.Count > 0 ? set.Select(stageTargets, parse.GetValue(recursive), singleItem: !parse.GetValue(withDeps), downstream: false)
                : [];
            var report = new List<KeyValuePair<string, List<object>>>(set.Status(stages, ct));
            if (all.Length == 0 || data.Count > 0)
            {
                foreach (var file in new DataWorkspace(set.Repository).Status(data, cwd, ct).GroupBy(s => s.DvcFile))
                {
                    var outs = file.ToDictionary(s => s.Path, s => (object)s.State, StringComparer.Ordinal);
                    report.Add(new(file.Key, [new Dictionary<string, object> { [StageStatus.ChangedOuts] = outs }]));
                }
            }

            if (parse.GetValue(quiet))
            {
                return Task.FromResult(report.Count > 0 ? ExitCodes.Failure : ExitCodes.Success);
            }

            if (cli.Json)
            {
                cli.WriteJson(report.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
            }
            else if (report.Count == 0)
            {
                cli.Human.WriteLine("Data and pipelines are up to date.");
            }
            else
            {
                var lines = new List<string>();
                foreach (var (name, entries) in report)
                {
                    lines.Add(name + ":");
                    Render(entries, 1, lines);
                }

                foreach (var line in lines)
                {
                    cli.Out.WriteLine(line);
                }
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }

    // DVC's CmdDataStatus._show: lists flattened, a string state as "state:<pad>key", a mapping as "key:" and its body indented.
    private static void Render(object status, int indent, List<string> lines)
    {
        var tabs = new string('\t', indent);
        switch (status)
        {
            case string text:
                lines.Add(tabs + text);
                break;
            case IEnumerable<object> list:
                foreach (var entry in list)
                {
                    Render(entry, indent, lines);
                }

                break;
            case Dictionary<string, object> map:
                foreach (var (key, value) in map)
                {
                    if (value is string state)
                    {
                        lines.Add($"{tabs}{state}:{new string(' ', Math.Max(0, StateWidth - state.Length))}{key}");
                    }
                    else
                    {
                        lines.Add($"{tabs}{key}:");
                        Render(value, indent + 1, lines);
                    }
                }

                break;
        }
    }
}
