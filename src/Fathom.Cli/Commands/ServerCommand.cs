using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Mlflow;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom server</c>: the MLflow-compatible tracking server over the store (MLflow's <c>mlflow server</c>).</summary>
internal static class ServerCommand
{
    private static readonly Option<string> Host = new("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<int> Port = new("--port", "-p") { Description = "Port to bind (0 picks a free one).", DefaultValueFactory = _ => 5000 };
    private static readonly Option<string?> Artifacts = new("--artifacts")
    {
        Description = "Where proxied artifacts are kept: a folder, a file:// URI or s3://bucket/prefix (default: the store's artifacts folder).",
    };

    private static readonly Option<bool> ServeArtifacts = new("--serve-artifacts")
    {
        Description = "Proxy artifacts through the server: new experiments get mlflow-artifacts:/ locations (default: on).",
        DefaultValueFactory = _ => true,
    };

    private static readonly Option<bool> NoServeArtifacts = new("--no-serve-artifacts") { Description = "Turn the artifact proxy off (as MLflow's flag)." };
    private static readonly Option<bool> Auth = new("--auth")
    {
        Description = "HTTP Basic authentication and per-experiment permissions, like MLflow's basic-auth app (admin from FATHOM_ADMIN_USERNAME/FATHOM_ADMIN_PASSWORD or MLFLOW_AUTH_CONFIG_PATH). Required to bind beyond loopback.",
    };

    private static readonly Option<int> MaxRunsPerProject = new("--max-runs-per-project")
    {
        Description = "Jobs of one project running at once; more wait in the queue (default: 4).",
        DefaultValueFactory = _ => 4,
    };

    private static readonly Option<int> MaxRunsPerExecutor = new("--max-runs-per-executor")
    {
        Description = "Jobs of one executor running at once (default: 8).",
        DefaultValueFactory = _ => 8,
    };

    private static readonly Option<string?> Agent = new("--agent")
    {
        Description = "The agent configuration of the jobs it runs (default: $FATHOM_AGENT_CONFIG, else agent.yaml in the store's folder).",
    };

    public static Command Create()
    {
        var command = new Command("server", "Serve the MLflow tracking REST API (/api/2.0/mlflow/…) and artifact proxy over the store, for MLflow clients, and run the jobs submitted to it (/api/v1).")
        {
            Host, Port, Artifacts, ServeArtifacts, NoServeArtifacts, Auth, MaxRunsPerProject, MaxRunsPerExecutor, Agent,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var options = BuildOptions(parse, cli);

            // A server that cannot start leaves no trace: the store folder it would have made is removed again.
            var fresh = !Directory.Exists(options.Store.LocalFolder);
            WebApplication? started = null;
            try
            {
                // The host's log (a schema upgrade's steps, warnings, unexpected errors) goes to stderr with the rest of
                // the human text; the host's own "failed to start" entry is left out: the error below says it in one line.
                started = TrackingServerHost.Build(options, logging => logging
                    .AddProvider(new ConsoleLoggerProvider(cli.Error))
                    .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical));
                await HostStart.StartAsync(started, options.Host, options.Port, ct);
            }
            catch
            {
                if (started is not null)
                {
                    await started.DisposeAsync();
                }

                if (fresh && Directory.Exists(options.Store.LocalFolder))
                {
                    Directory.Delete(options.Store.LocalFolder, recursive: true);
                }

                throw;
            }

            await using var app = started;
            cli.Human.MarkupLine(options.Auth is { Enabled: true } auth
                ? $"Authentication: on (HTTP Basic; admin user '{Markup.Escape(auth.AdminUsername)}'; default permission {auth.DefaultPermission.Name})."
                : "[yellow]Authentication: off[/] — anyone who can reach this loopback address can read and write runs. Use --auth to require credentials.");
            cli.Human.MarkupLine(
                $"Tracking server on [blue]{Markup.Escape(string.Join(", ", app.Urls))}[/] (store: {Markup.Escape(options.Store.ToString())}; artifacts: {Markup.Escape(options.ArtifactsDestination)}{(options.ServeArtifacts ? ", proxied" : string.Empty)}). Ctrl+C stops.");
            try
            {
                await app.WaitForShutdownAsync(ct);
            }
            catch (OperationCanceledException)
            {
                // stopping gracefully below
            }

            await app.StopAsync(CancellationToken.None);
            return ExitCodes.Success;
        });
    }

    /// <summary>
    /// The server's options from its flags: the store is the command line's one location (<see cref="CliContext.Location"/>),
    /// as for every other command; the auth database and the default artifact folder sit in the store's local folder.
    /// </summary>
    internal static TrackingServerOptions BuildOptions(ParseResult parse, CliContext cli)
    {
        var store = cli.Location;
        return new TrackingServerOptions
        {
            Host = parse.GetValue(Host)!,
            Port = parse.GetValue(Port),
            Store = store,
            ArtifactsDestination = LocalFolder(parse.GetValue(Artifacts) ?? store.ArtifactRoot),
            ServeArtifacts = parse.GetValue(ServeArtifacts) && !parse.GetValue(NoServeArtifacts),
            Auth = Fathom.Auth.AuthOptions.FromEnvironment(parse.GetValue(Auth), Path.Combine(store.LocalFolder, "basic_auth.db")),
            Jobs = new Fathom.Jobs.JobServerOptions
            {
                MaxRunningPerProject = parse.GetValue(MaxRunsPerProject),
                MaxRunningPerExecutor = parse.GetValue(MaxRunsPerExecutor),
                AgentFile = (parse.GetValue(Agent) ?? cli.Host.Environment(Jobs.JobHosting.AgentVariable)) is { } agent ? Path.GetFullPath(agent, cli.Host.WorkingDirectory()) : null,
            },
            // Local endpoints' replicas are this very fathom's `serve`, so they run the same build as the server.
            Endpoints = new Fathom.Endpoints.EndpointOptions { FathomCommand = TuneCommand.FathomExecutable() },
        };
    }

    private static string LocalFolder(string value)
    {
        if (value.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return new Uri(value).LocalPath;
        }

        if (value.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            return value; // an S3-compatible bucket; endpoint and credentials from the environment
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw new CliInputException($"--artifacts '{value}': give a folder, a file:// URI or an s3://bucket/prefix URI.");
        }

        return Path.GetFullPath(value);
    }
}
