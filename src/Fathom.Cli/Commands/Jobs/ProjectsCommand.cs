using System.CommandLine;
using Fathom.Cli.Rendering;
using Spectre.Console;

namespace Fathom.Cli.Commands.Jobs;

/// <summary><c>fathom projects create|ls</c>: the projects runs of jobs belong to.</summary>
internal static class ProjectsCommand
{
    public static Command Create()
    {
        var command = new Command("projects", "Create and list the projects job runs belong to.");
        command.Subcommands.Add(CreateProject());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command CreateProject()
    {
        var name = new Argument<string>("name") { Description = "The project's name (letters, digits, '-', '_', '.')." };
        var description = new Option<string?>("--description") { Description = "What the project is for." };
        var command = new Command("create", "Create a project.") { name, description };
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var store = cli.Host.JobStores.Open(cli.Location, cli.Time);
            var project = await store.CreateProjectAsync(parse.GetValue(name)!, parse.GetValue(description), null, ct);
            if (cli.Json)
            {
                cli.WriteJson(new { name = project.Name, description = project.Description, created_at = project.CreatedAt });
            }
            else
            {
                cli.Out.MarkupLine($"Project [bold]{Markup.Escape(project.Name)}[/] created.");
            }

            return ExitCodes.Success;
        });
    }

    private static Command List()
    {
        var command = new Command("ls", "List projects with their number of runs.");
        command.Aliases.Add("list");
        return command.WithAction(async (parse, cli, ct) =>
        {
            await using var store = cli.Host.JobStores.Open(cli.Location, cli.Time);
            var projects = await store.ListProjectsAsync(ct);
            if (cli.Json)
            {
                cli.WriteJson(new { projects = projects.Select(p => new { name = p.Name, description = p.Description, created_at = p.CreatedAt, runs = p.Runs }) });
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Name", "Runs", "Created", "Description");
            foreach (var p in projects)
            {
                table.AddRow(Markup.Escape(p.Name), p.Runs.ToString(System.Globalization.CultureInfo.InvariantCulture), Format.Time(p.CreatedAt), Markup.Escape(p.Description ?? ""));
            }

            cli.Out.Write(table);
            return ExitCodes.Success;
        });
    }
}
