using System.CommandLine;
using System.Text;
using Fathom.Pipelines;
using Spectre.Console;

namespace Fathom.Cli.Commands.Pipelines;

/// <summary><c>fathom dag [TARGET] [--dot|--mermaid]</c>: draws the stage graph of <c>dvc.yaml</c>.</summary>
internal static class DagCommand
{
    public static Command Create()
    {
        var target = new Argument<string?>("target") { Description = "Only this stage (name, path/dvc.yaml:name, a dvc.yaml or a folder) and its upstream.", Arity = ArgumentArity.ZeroOrOne };
        var dot = new Option<bool>("--dot") { Description = "Print the graph in Graphviz DOT." };
        var mermaid = new Option<bool>("--mermaid") { Description = "Print the graph as a Mermaid flowchart." };
        var command = new Command("dag", "Draw the stages of every dvc.yaml in the repository and the edges between them (outs → deps).") { target, dot, mermaid };
        return command.WithAction((parse, cli, ct) =>
        {
            // Every dvc.yaml of the repository, as dvc dag shows: stages of other folders as 'path/dvc.yaml:stage'.
            var set = PipelineSet.Open(Directory.GetCurrentDirectory());
            var graph = set.Graph;
            var stages = parse.GetValue(target) is { } t ? set.Select([t], recursive: true, singleItem: false, downstream: false) : graph.Stages;
            var names = stages.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            var edges = stages.SelectMany(s => graph.Downstream(s.Name).Where(names.Contains).Select(d => (From: s.Name, To: d))).ToList();
            if (cli.Json)
            {
                cli.WriteJson(new { stages = stages.Select(s => s.Name), edges = edges.Select(e => new { from = e.From, to = e.To }) });
            }
            else if (parse.GetValue(dot))
            {
                cli.Out.WriteLine(Dot(stages, edges));
            }
            else if (parse.GetValue(mermaid))
            {
                cli.Out.WriteLine(Mermaid(stages, edges));
            }
            else
            {
                Draw(cli.Out, stages, graph, names);
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }

    public static string Dot(IReadOnlyList<PipelineStage> stages, List<(string From, string To)> edges)
    {
        var sb = new StringBuilder("strict digraph  {\n");
        foreach (var stage in stages)
        {
            sb.Append('"').Append(stage.Name).Append("\";\n");
        }

        foreach (var (from, to) in edges)
        {
            sb.Append('"').Append(from).Append("\" -> \"").Append(to).Append("\";\n");
        }

        return sb.Append('}').ToString();
    }

    public static string Mermaid(IReadOnlyList<PipelineStage> stages, List<(string From, string To)> edges)
    {
        var ids = stages.Select((s, i) => (s.Name, Id: $"node{i + 1}")).ToDictionary(p => p.Name, p => p.Id, StringComparer.Ordinal);
        var sb = new StringBuilder("flowchart TD\n");
        foreach (var stage in stages)
        {
            sb.Append('\t').Append(ids[stage.Name]).Append("[\"").Append(stage.Name).Append("\"]\n");
        }

        foreach (var (from, to) in edges)
        {
            sb.Append('\t').Append(ids[from]).Append("-->").Append(ids[to]).Append('\n');
        }

        return sb.ToString().TrimEnd('\n');
    }

    // Stages in layers by longest distance from a source; each layer a row of boxes, each box saying what it feeds.
    private static void Draw(IAnsiConsole console, IReadOnlyList<PipelineStage> stages, PipelineGraph graph, HashSet<string> names)
    {
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            depth[stage.Name] = graph.Upstream(stage.Name).Where(names.Contains).Select(u => depth[u] + 1).DefaultIfEmpty(0).Max();
        }

        foreach (var layer in stages.GroupBy(s => depth[s.Name]).OrderBy(g => g.Key))
        {
            var columns = new Columns(layer.Select(s =>
            {
                var next = graph.Downstream(s.Name).Where(names.Contains).ToList();
                var body = new Markup($"[bold]{Markup.Escape(s.Name)}[/]" + (next.Count == 0 ? "" : $"\n[grey]→ {Markup.Escape(string.Join(", ", next))}[/]"));
                return new Panel(body) { Border = BoxBorder.Ascii };
            }))
            {
                Expand = false,
            };
            console.Write(columns);
        }
    }
}
