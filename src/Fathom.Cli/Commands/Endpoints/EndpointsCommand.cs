using System.CommandLine;
using System.Text.Json.Nodes;
using Fathom.Endpoints;
using Spectre.Console;

namespace Fathom.Cli.Commands.Endpoints;

/// <summary>
/// <c>fathom endpoints create|list|describe|url|logs|remove</c>: named endpoints that a <c>fathom server</c> runs and
/// keeps following their model URI. Every command talks to the server's REST API; with <c>--json</c>, stdout is the
/// server's JSON.
/// </summary>
internal static class EndpointsCommand
{
    public static Command Create()
    {
        var command = new Command("endpoints", "Serve registered models from named endpoints that follow an alias or stage (needs a server: --tracking-uri or FATHOM_TRACKING_URI).");
        command.Subcommands.Add(CreateEndpoint());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Describe());
        command.Subcommands.Add(Url());
        command.Subcommands.Add(Logs());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static Command CreateEndpoint()
    {
        var name = new Argument<string>("name") { Description = "The endpoint's name (lowercase letters, digits and '-')." };
        var model = new Option<string>("--model", "-m") { Description = "The registry URI to serve and follow: models:/NAME@ALIAS, models:/NAME/STAGE or models:/NAME/VERSION.", Required = true };
        var target = new Option<string>("--target") { Description = "Where replicas run: local (processes beside the server).", DefaultValueFactory = _ => EndpointRecord.LocalTarget };
        var replicas = new Option<int>("--replicas") { Description = "Replicas per served version.", DefaultValueFactory = _ => 1 };
        var port = new Option<int>("--port", "-p") { Description = "The port the endpoint listens on (0: a free one, kept across server restarts).", DefaultValueFactory = _ => 0 };
        var traffic = new Option<string?>("--traffic") { Description = "A canary split between fixed versions, e.g. v3=90,v4=10 (sticky per X-Fathom-Session header)." };
        var command = new Command("create", "Create an endpoint: the server starts its replicas, waits until they answer, and returns its URL.") { name, model, target, replicas, port, traffic };
        return command.WithAction(async (parse, cli, ct) =>
        {
            // Checked here too, so a mistake names the option and nothing is sent.
            var split = parse.GetValue(traffic) is { } text ? EndpointTraffic.Format(EndpointTraffic.Parse(text, "--traffic")) : null;
            if (parse.GetValue(replicas) is < 1 or > EndpointValidation.MaxReplicas)
            {
                throw new CliInputException($"--replicas: {parse.GetValue(replicas)} is out of range; use 1 to {EndpointValidation.MaxReplicas}.");
            }

            if (parse.GetValue(port) is < 0 or > 65535)
            {
                throw new CliInputException($"--port: {parse.GetValue(port)} is not a TCP port; use 1-65535, or 0 for a free one.");
            }

            using var client = Client(cli);
            var body = new JsonObject
            {
                ["name"] = parse.GetValue(name),
                ["model_uri"] = parse.GetValue(model),
                ["target"] = parse.GetValue(target),
                ["replicas"] = parse.GetValue(replicas),
                ["port"] = parse.GetValue(port),
            };
            if (split is not null)
            {
                body["traffic"] = split;
            }

            cli.Human.MarkupLine($"[grey]Starting endpoint {Markup.Escape(parse.GetValue(name)!)}…[/]");
            var endpoint = await client.CreateAsync(body, ct);
            if (cli.Json)
            {
                cli.WriteJson(endpoint);
            }
            else
            {
                cli.Out.MarkupLine($"Endpoint [bold]{Markup.Escape(S(endpoint, "name"))}[/] serves {Markup.Escape(Served(endpoint))} at [blue]{Markup.Escape(S(endpoint, "url"))}[/]");
            }

            return ExitCodes.Success;
        });
    }

    private static Command List()
    {
        var command = new Command("list", "List the server's endpoints with the versions they serve.");
        return command.WithAction(async (_, cli, ct) =>
        {
            using var client = Client(cli);
            var endpoints = await client.ListAsync(ct);
            if (cli.Json)
            {
                cli.WriteJson(new JsonObject { ["endpoints"] = endpoints.DeepClone() });
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Name", "Model", "Serving", "Status", "Replicas", "URL");
            foreach (var endpoint in endpoints.OfType<JsonObject>())
            {
                table.AddRow(
                    Markup.Escape(S(endpoint, "name")), Markup.Escape(S(endpoint, "model_uri")), Markup.Escape(Served(endpoint)),
                    Markup.Escape(S(endpoint, "status")), endpoint["replicas"]!.ToString(), Markup.Escape(S(endpoint, "url")));
            }

            cli.Out.Write(table);
            return ExitCodes.Success;
        });
    }

    private static Command Describe()
    {
        var name = new Argument<string>("name") { Description = "The endpoint's name." };
        var command = new Command("describe", "Show an endpoint: its model URI, the version(s) it serves, its replicas and their health.") { name };
        return command.WithAction(async (parse, cli, ct) =>
        {
            using var client = Client(cli);
            var endpoint = await client.GetAsync(parse.GetValue(name)!, ct);
            if (cli.Json)
            {
                cli.WriteJson(endpoint);
                return ExitCodes.Success;
            }

            var grid = new Grid().AddColumn().AddColumn();
            foreach (var (label, key) in (ReadOnlySpan<(string, string)>)[("Name", "name"), ("Model", "model_uri"), ("Target", "target"), ("Status", "status"), ("URL", "url"), ("Traffic", "traffic"), ("Last error", "last_error")])
            {
                if (endpoint[key] is { } value)
                {
                    grid.AddRow(label, Markup.Escape(value.ToString()));
                }
            }

            grid.AddRow("Serving", Markup.Escape(Served(endpoint)));
            cli.Out.Write(grid);
            var table = new Table().AddColumns("Version", "PID", "Port", "Healthy", "In flight");
            foreach (var replica in endpoint["replica_processes"]!.AsArray().OfType<JsonObject>())
            {
                table.AddRow("v" + S(replica, "version"), replica["pid"]!.ToString(), replica["port"]!.ToString(), replica["healthy"]!.ToString(), replica["in_flight"]!.ToString());
            }

            cli.Out.Write(table);
            return ExitCodes.Success;
        });
    }

    private static Command Url()
    {
        var name = new Argument<string>("name") { Description = "The endpoint's name." };
        var command = new Command("url", "Print the endpoint's URL (for scripts: curl \"$(fathom endpoints url NAME)invocations\").") { name };
        return command.WithAction(async (parse, cli, ct) =>
        {
            using var client = Client(cli);
            var endpoint = await client.GetAsync(parse.GetValue(name)!, ct);
            if (cli.Json)
            {
                cli.WriteJson(new JsonObject { ["url"] = S(endpoint, "url") });
            }
            else
            {
                cli.Out.WriteLine(S(endpoint, "url"));
            }

            return ExitCodes.Success;
        });
    }

    private static Command Logs()
    {
        var name = new Argument<string>("name") { Description = "The endpoint's name." };
        var command = new Command("logs", "Print the endpoint's events (starts, swaps, failures) and the end of each replica's log.") { name };
        return command.WithAction(async (parse, cli, ct) =>
        {
            using var client = Client(cli);
            var logs = await client.LogsAsync(parse.GetValue(name)!, ct);
            if (cli.Json)
            {
                cli.WriteJson(new JsonObject { ["logs"] = logs });
            }
            else
            {
                cli.HumanText.Write(logs);
            }

            return ExitCodes.Success;
        });
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "The endpoint's name." };
        var command = new Command("remove", "Stop an endpoint's replicas and router and forget it.") { name };
        return command.WithAction(async (parse, cli, ct) =>
        {
            using var client = Client(cli);
            await client.RemoveAsync(parse.GetValue(name)!, ct);
            if (cli.Json)
            {
                cli.WriteJson(new JsonObject { ["removed"] = parse.GetValue(name) });
            }
            else
            {
                cli.Out.MarkupLine($"Removed endpoint [bold]{Markup.Escape(parse.GetValue(name)!)}[/].");
            }

            return ExitCodes.Success;
        });
    }

    private static EndpointServerClient Client(CliContext cli) => cli.Location.IsRemote
        ? new EndpointServerClient(new Uri(cli.Location.Uri))
        : throw new CliInputException("endpoints are run by a server: start `fathom server` and pass --tracking-uri http://HOST:PORT (or set FATHOM_TRACKING_URI).");

    private static string S(JsonObject json, string key) => json[key]?.GetValue<string>() ?? string.Empty;

    private static string Served(JsonObject endpoint)
    {
        var versions = endpoint["versions"]!.AsArray().Select(v => "v" + v!.GetValue<string>()).ToList();
        var served = versions.Count == 0 ? "nothing yet" : string.Join(", ", versions);
        return endpoint["traffic"] is { } traffic ? $"{served} ({traffic.GetValue<string>()})" : served;
    }
}
