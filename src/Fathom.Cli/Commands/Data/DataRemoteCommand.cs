using System.CommandLine;
using Fathom.Data;
using Spectre.Console;

namespace Fathom.Cli.Commands.Data;

/// <summary><c>fathom data remote add|list|modify|default</c>: edits the remotes in <c>.dvc/config</c> as <c>dvc remote</c> does.</summary>
internal static class DataRemoteCommand
{
    public static Command Create()
    {
        var command = new Command("remote", "Manage the remotes in .dvc/config.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Modify());
        command.Subcommands.Add(Default());
        return command;
    }

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "Remote name." };
        var url = new Argument<string>("url") { Description = "A folder path (relative paths are stored relative to .dvc/) or a URL." };
        var makeDefault = new Option<bool>("--default", "-d") { Description = "Make it the default remote." };
        var force = new Option<bool>("--force", "-f") { Description = "Replace a remote of the same name." };
        var command = new Command("add", "Add a remote.") { name, url, makeDefault, force };
        return command.WithAction((parse, cli, ct) =>
        {
            DataWorkspace.Open(Directory.GetCurrentDirectory()).AddRemote(parse.GetValue(name)!, parse.GetValue(url)!, parse.GetValue(makeDefault), parse.GetValue(force), Directory.GetCurrentDirectory());
            cli.Human.WriteLine(parse.GetValue(makeDefault) ? $"Added remote '{parse.GetValue(name)}' (default)." : $"Added remote '{parse.GetValue(name)}'.");
            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static Command List()
    {
        var command = new Command("list", "List remotes as 'name<TAB>url' (the default marked with --json).");
        return command.WithAction((parse, cli, ct) =>
        {
            var remotes = DataWorkspace.Open(Directory.GetCurrentDirectory()).ListRemotes();
            if (cli.Json)
            {
                cli.WriteJson(remotes.Select(r => new { name = r.Name, url = r.Url, is_default = r.IsDefault }));
                return Task.FromResult(ExitCodes.Success);
            }

            foreach (var remote in remotes)
            {
                cli.Out.WriteLine($"{remote.Name}\t{remote.Url}");
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static Command Modify()
    {
        var name = new Argument<string>("name") { Description = "Remote name." };
        var key = new Argument<string>("option") { Description = "Config key, e.g. url, jobs, endpointurl." };
        var value = new Argument<string?>("value") { Description = "New value (omit with --unset).", Arity = ArgumentArity.ZeroOrOne };
        var unset = new Option<bool>("--unset", "-u") { Description = "Remove the key." };
        var local = new Option<bool>("--local") { Description = "Write to .dvc/config.local (git-ignored), the place for credentials." };
        var command = new Command("modify", "Set or unset one option of a remote, keeping the others.") { name, key, value, unset, local };
        return command.WithAction((parse, cli, ct) =>
        {
            var newValue = parse.GetValue(value);
            if (parse.GetValue(unset) == (newValue is not null))
            {
                throw new CliInputException("Give either a value or --unset.");
            }

            DataWorkspace.Open(Directory.GetCurrentDirectory()).ModifyRemote(parse.GetValue(name)!, parse.GetValue(key)!, newValue, Directory.GetCurrentDirectory(), parse.GetValue(local));
            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static Command Default()
    {
        var name = new Argument<string?>("name") { Description = "Remote to make the default (omit to print the current one).", Arity = ArgumentArity.ZeroOrOne };
        var unset = new Option<bool>("--unset", "-u") { Description = "Clear the default remote." };
        var command = new Command("default", "Print, set or clear the default remote.") { name, unset };
        return command.WithAction((parse, cli, ct) =>
        {
            var current = DataWorkspace.Open(Directory.GetCurrentDirectory()).DefaultRemote(parse.GetValue(name), parse.GetValue(unset));
            if (parse.GetValue(name) is null && !parse.GetValue(unset))
            {
                if (current is null)
                {
                    cli.Fail("No default remote is set.");
                    return Task.FromResult(ExitCodes.NotFound);
                }

                cli.Out.WriteLine(current);
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }
}
