using System.CommandLine;
using Fathom.Jobs;
using Spectre.Console;

namespace Fathom.Cli.Commands.Jobs;

/// <summary>
/// <c>fathom secret create|ls|rm</c>: the secrets jobs may use, encrypted at rest in the store's folder. Values come from
/// files, environment variables or standard input, never from the command line (where <c>ps</c> and shell histories
/// would keep them), and are never printed.
/// </summary>
internal static class SecretCommand
{
    public static Command Create()
    {
        var command = new Command("secret", "Create, list and remove the secrets jobs use (encrypted at rest; key: $FATHOM_SECRETS_KEY, else .fathom/secrets.key).");
        command.Subcommands.Add(CreateSecret());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static SecretStore Store(CliContext cli) => new(cli.Location.LocalFolder, cli.Host.Environment);

    private static Command CreateSecret()
    {
        var name = new Argument<string>("name") { Description = "The secret's name, as Kubernetes names a Secret (lowercase letters, digits, '-', '.')." };
        var fromFile = new Option<string[]>("--from-file") { Description = "KEY=PATH: the key's value is the file's content; repeat for more keys." };
        var fromEnv = new Option<string[]>("--from-env") { Description = "KEY=VARIABLE: the key's value is the environment variable's; repeat for more keys." };
        var fromStdin = new Option<string?>("--from-stdin") { Description = "KEY: the key's value is read from standard input (one trailing newline removed)." };
        var command = new Command("create", "Create a secret, or replace the one of that name.") { name, fromFile, fromEnv, fromStdin };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var data = new Dictionary<string, string>(StringComparer.Ordinal);
            void Add(string option, string key, string value)
            {
                if (!data.TryAdd(key, value))
                {
                    throw new CliInputException($"{option}: key '{key}' is given twice.");
                }
            }

            foreach (var pair in parse.GetValue(fromFile) ?? [])
            {
                var (key, path) = Split("--from-file", pair);
                Add("--from-file", key, await File.ReadAllTextAsync(Path.GetFullPath(path, cli.Host.WorkingDirectory()), ct));
            }

            foreach (var pair in parse.GetValue(fromEnv) ?? [])
            {
                var (key, variable) = Split("--from-env", pair);
                Add("--from-env", key, cli.Host.Environment(variable) ?? throw new CliInputException($"--from-env {pair}: ${variable} is not set."));
            }

            if (parse.GetValue(fromStdin) is { } stdinKey)
            {
                var text = await Console.In.ReadToEndAsync(ct);
                Add("--from-stdin", stdinKey, text.EndsWith('\n') ? text[..^1] : text);
            }

            var secret = parse.GetValue(name)!;
            Store(cli).Write(secret, data);
            if (cli.Json)
            {
                cli.WriteJson(new { name = secret, keys = data.Keys.Order(StringComparer.Ordinal) });
            }
            else
            {
                cli.Out.MarkupLine($"Secret [bold]{Markup.Escape(secret)}[/] stored with keys {Markup.Escape(string.Join(", ", data.Keys.Order(StringComparer.Ordinal)))}.");
            }

            return ExitCodes.Success;
        });
    }

    private static Command List()
    {
        var command = new Command("ls", "List the secrets and their keys (never their values).");
        command.Aliases.Add("list");
        return command.WithAction((parse, cli, ct) =>
        {
            var secrets = Store(cli).List();
            if (cli.Json)
            {
                cli.WriteJson(new { secrets = secrets.Select(s => new { name = s.Name, keys = s.Keys }) });
                return Task.FromResult(ExitCodes.Success);
            }

            foreach (var (secret, keys) in secrets)
            {
                cli.Out.WriteLine($"{secret}\t{string.Join(",", keys)}");
            }

            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "The secret to remove." };
        var command = new Command("rm", "Remove a secret.") { name };
        return command.WithAction((parse, cli, ct) =>
        {
            var secret = parse.GetValue(name)!;
            if (!Store(cli).Remove(secret))
            {
                throw new FileNotFoundException($"secret '{secret}' does not exist (fathom secret ls lists them).");
            }

            cli.Out.MarkupLine($"Secret [bold]{Markup.Escape(secret)}[/] removed.");
            return Task.FromResult(ExitCodes.Success);
        });
    }

    private static (string Key, string Value) Split(string option, string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && equals < pair.Length - 1
            ? (pair[..equals], pair[(equals + 1)..])
            : throw new CliInputException($"{option} {pair}: expected KEY=VALUE.");
    }
}
