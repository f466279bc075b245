using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Fathom.Cli.Commands;

/// <summary><c>fathom server</c>: the MLflow-compatible tracking server over the store (MLflow's <c>mlflow server</c>).</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "Port to bind (0 picks a free one).", DefaultValueFactory = _ => 5000 };
        var artifacts = new Option<string?>("--artifacts")
        {
            Description = "Where proxied artifacts are kept: a folder, a file:// URI or s3://bucket/prefix (default: the store's artifacts folder).",
        };
        var serveArtifacts = new Option<bool>("--serve-artifacts")
        {
            Description = "Proxy artifacts through the server: new experiments get mlflow-artifacts:/ locations (default: on).",
            DefaultValueFactory = _ => true,
        };
        var noServeArtifacts = new Option<bool>("--no-serve-artifacts") { Description = "Turn the artifact proxy off (as MLflow's flag)." };
        var auth = new Option<bool>("--auth")
        {
            Description = "HTTP Basic authentication and per-experiment permissions, like MLflow's basic-auth app (admin from FATHOM_ADMIN_USERNAME/FATHOM_ADMIN_PASSWORD or MLFLOW_AUTH_CONFIG_PATH). Required to bind beyond loopback.",
        };
        var command = new Command("server", "Serve the MLflow tracking REST API (/api/2.0/mlflow/…) and artifact proxy over the store, for MLflow clients.")
        {
            host, port, artifacts, serveArtifacts, noServeArtifacts, auth,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            // A database server (postgresql://) holds the runs; the project's .fathom folder still holds local files.
            var storeValue = cli.StoreOption ?? Environment.GetEnvironmentVariable(TrackingClient.TrackingUriVariable);
            var database = storeValue is not null && storeValue.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) ? storeValue : null;
            var store = database is null ? cli.ResolveStore() : StoreLocation.Parse(StoreLocation.FolderName, Directory.GetCurrentDirectory());
            var options = new TrackingServerOptions
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                Store = store,
                StoreUri = database,
                ArtifactsDestination = LocalFolder(parse.GetValue(artifacts) ?? store.ArtifactRoot),
                ServeArtifacts = parse.GetValue(serveArtifacts) && !parse.GetValue(noServeArtifacts),
                Auth = Auth.AuthOptions.FromEnvironment(parse.GetValue(auth), Path.Combine(Path.GetDirectoryName(store.DatabasePath)!, "basic_auth.db")),
            };
            // The host's log (a schema upgrade's steps, warnings, unexpected errors) goes to stderr with the rest of the human text.
            await using var app = TrackingServerHost.Build(options, logging => logging.AddProvider(new ConsoleLoggerProvider(cli.Error)));
            await app.StartAsync(ct);
            cli.Human.MarkupLine(options.Auth.Enabled
                ? $"Authentication: on (HTTP Basic; admin user '{Markup.Escape(options.Auth.AdminUsername)}'; default permission {options.Auth.DefaultPermission.Name})."
                : "[yellow]Authentication: off[/] — anyone who can reach this loopback address can read and write runs. Use --auth to require credentials.");
            cli.Human.MarkupLine(
                $"Tracking server on [blue]{Markup.Escape(string.Join(", ", app.Urls))}[/] (store: {Markup.Escape(database is null ? store.DatabasePath : UriRedaction.Redact(database))}; artifacts: {Markup.Escape(options.ArtifactsDestination)}{(options.ServeArtifacts ? ", proxied" : string.Empty)}). Ctrl+C stops.");
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
