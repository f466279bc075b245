using System.CommandLine;
using Fathom.Config;
using Fathom.Jobs;
using Spectre.Console;

namespace Fathom.Cli.Commands.Jobs;

/// <summary>
/// <c>fathom run -f FILE [-P NAME=value …] [-p PROJECT] [--executor local|container|kubernetes] [--dry-run]</c>: runs a Polyaxon
/// component or operation file in the foreground, recorded in the store as a run of the project (as <c>polyaxon run</c>
/// with <c>--local</c>, without a server).
/// </summary>
internal static partial class RunCommand
{
    public static Command Create()
    {
        var file = new Option<string>("--file", "-f") { Description = "The polyaxonfile: a component (kind: component) or an operation (kind: operation).", Required = true };
        var param = new Option<string[]>("--param", "-P") { Description = "An input's value, NAME=VALUE, parsed by the input's type (a list as JSON: '[\"a\", \"b\"]'); repeat for more." };
        var project = new Option<string?>("--project", "-p") { Description = "The project the run belongs to (created on first use; default: $FATHOM_PROJECT, else 'default')." };
        var executor = new Option<string>("--executor") { Description = "Where the job runs: local (a process on this machine), container (podman or docker) or kubernetes (the cluster of $KUBECONFIG, ~/.kube/config or in-cluster).", DefaultValueFactory = _ => "local" };
        executor.AcceptOnlyFromAmong("local", "container", "kubernetes");
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the resolved specification and the command that would run; run nothing, record nothing." };
        var agent = new Option<string?>("--agent") { Description = "The agent configuration (connections, volumes, artifacts store, container runtime flags); default: $FATHOM_AGENT_CONFIG, else agent.yaml in the store's .fathom folder." };
        var matrixTrial = new Option<bool>("--matrix-trial") { Description = "Run one trial of the file's matrix with the values given by -P (set by the matrix's own launch).", Hidden = true };
        var watch = new Option<bool>("--watch", "-w") { Description = "With a server: follow the run's status and log until it ends (exit code as the run's status)." };
        var command = new Command("run", "Run a Polyaxon job file (version 1.1 component or operation) locally or in a container, recorded as a run of a project; with a server configured (--tracking-uri, FATHOM_TRACKING_URI), submit it to the server's queue.")
        {
            file, param, project, executor, dryRun, agent, watch, matrixTrial,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var path = parse.GetValue(file)!;
            var document = PolyaxonReader.ReadFile(Path.GetFullPath(path, cli.Host.WorkingDirectory()), path);
            if (document.Operation?.Matrix is { } matrix && !parse.GetValue(matrixTrial))
            {
                var launch = new MatrixLaunch(Path.GetFullPath(path, cli.Host.WorkingDirectory()), JobHosting.Project(cli, parse.GetValue(project)),
                    parse.GetValue(executor)!, parse.GetValue(agent), parse.GetValue(param) ?? [], cli.Host.WorkingDirectory());
                var jobName = document.Operation.Name ?? Path.GetFileNameWithoutExtension(path);
                var checkAgent = JobHosting.Agent(cli, parse.GetValue(agent));
                var checkExecutor = JobHosting.Executor(cli, parse.GetValue(executor)!, checkAgent, dryRun: true);
                void Check(IReadOnlyDictionary<string, string> sample) => new JobRunner(NoStore.Instance, checkExecutor, cli.Time).Plan(
                    new JobRequest(document, sample, launch.Project, checkAgent, cli.Location, cli.Host.WorkingDirectory(), Environment.UserName), JobRunner.NewUuid());
                return await RunMatrixAsync(cli, matrix, launch, jobName, parse.GetValue(dryRun), Check, ct);
            }

            var parameters = CliParams.Parse(parse.GetValue(param) ?? []);
            var isDag = DagRunner.IsDag(document);
            if (isDag && cli.Location.IsRemote && !parse.GetValue(dryRun))
            {
                throw new CliInputException($"{path}: a dag runs in the foreground, recorded in a local store (a folder, sqlite:// or postgresql://); the server's queue does not run DAGs yet. Run it without --tracking-uri/FATHOM_TRACKING_URI.");
            }

            if (cli.Location.IsRemote && !parse.GetValue(dryRun))
            {
                return await RemoteRun.SubmitAsync(cli, Path.GetFullPath(path, cli.Host.WorkingDirectory()), parameters,
                    JobHosting.Project(cli, parse.GetValue(project)), parse.GetValue(executor)!, parse.GetValue(watch), ct);
            }

            var agentConfig = JobHosting.Agent(cli, parse.GetValue(agent));
            var chosen = JobHosting.Executor(cli, parse.GetValue(executor)!, agentConfig, parse.GetValue(dryRun));
            var request = new JobRequest(document, parameters, JobHosting.Project(cli, parse.GetValue(project)), agentConfig, cli.Location,
                cli.Host.WorkingDirectory(), Environment.UserName);
            if (isDag)
            {
                return await RunDagAsync(cli, request, chosen, parse.GetValue(dryRun), ct);
            }

            var uuid = JobRunner.NewUuid();
            if (parse.GetValue(dryRun))
            {
                var plan = new JobRunner(NoStore.Instance, chosen, cli.Time).Plan(request, uuid);
                return DryRun(cli, plan, chosen);
            }

            await using var store = cli.Host.JobStores.Open(cli.Location, cli.Time);
            var runner = new JobRunner(store, chosen, cli.Time);
            var planned = runner.Plan(request, uuid);
            foreach (var note in planned.Notes)
            {
                cli.Error.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
            }

            cli.Error.MarkupLine($"Run [bold]{uuid}[/] ({Markup.Escape(planned.Launch.Job.Name)}) in project [bold]{Markup.Escape(request.Project)}[/], {chosen.Name} executor; log: {Markup.Escape(planned.Launch.LogFile)}");
            var output = cli.Json ? Console.Error : Console.Out;
            var outcome = await runner.RunAsync(request, planned, output.WriteLine, status => cli.Error.MarkupLine($"[grey]{status.Name()}[/]"), ct);
            if (cli.Json)
            {
                cli.WriteJson(new { uuid, status = outcome.Status.Name(), exit_code = outcome.ExitCode, attempts = outcome.Attempts, log = outcome.LogFile, message = outcome.Message });
            }

            return Finish(cli, uuid, outcome.Status, outcome.Message);
        });
    }

    private static int DryRun(CliContext cli, JobPlan plan, IJobExecutor executor)
    {
        var job = plan.Launch.Job;
        foreach (var note in plan.Notes)
        {
            cli.Error.MarkupLine($"[grey]note: {Markup.Escape(note)}[/]");
        }

        if (cli.Json)
        {
            cli.WriteJson(new
            {
                name = job.Name,
                inputs = job.Inputs,
                run = IoValues.FromNode(job.RenderedRun),
                executor = executor.Name,
                command = plan.CommandLine,
                environment = plan.Launch.Environment,
                manifests = (executor as IJobManifests)?.Manifests(plan.Launch),
            });
            return ExitCodes.Success;
        }

        var spec = new ConfigMap(
        [
            new ConfigEntry("name", ConfigScalar.Of(job.Name, SourcePosition.Generated), SourcePosition.Generated),
            new ConfigEntry("run", job.RenderedRun, SourcePosition.Generated),
        ], SourcePosition.Generated);
        Console.Out.Write("# resolved specification\n" + ConfigYamlWriter.Write(spec));
        if (executor is IJobManifests manifests)
        {
            Console.Out.Write($"# {executor.Name} executor creates (as {ShellQuote.Join(plan.CommandLine)} would with these on its input):\n{manifests.Manifests(plan.Launch)}");
            return ExitCodes.Success;
        }

        Console.Out.WriteLine($"# {executor.Name} executor runs:");
        Console.Out.WriteLine(ShellQuote.Join(plan.CommandLine));
        return ExitCodes.Success;
    }

    /// <summary>A store for planning only: a dry run records nothing.</summary>
    private sealed class NoStore : IJobStore
    {
        public static readonly NoStore Instance = new();

        public Task<JobProject> CreateProjectAsync(string name, string? description, string? owner, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<JobProject?> GetProjectAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<JobProject>> ListProjectsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CreateRunAsync(JobRunRecord run, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> SetStatusAsync(string uuid, JobStatus status, string? message, int? exitCode, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task NextAttemptAsync(string uuid, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task SetOutputsAsync(string uuid, string outputsJson, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<JobRunRecord>> ChildrenAsync(string parentUuid, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<JobRunRecord?> GetRunAsync(string uuidOrPrefix, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<JobRunRecord>> ListRunsAsync(string? project, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<JobRunRecord>> PageRunsAsync(string? project, IReadOnlyCollection<JobStatus> statuses, int offset, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<JobRunRecord>> OldestInAsync(IReadOnlyCollection<JobStatus> statuses, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<JobStatusChange>> StatusesAsync(string uuid, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteRunAsync(string uuid, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
