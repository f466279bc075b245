using System.Globalization;
using System.Text.Json;
using Fathom.Auth;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Jobs;

/// <summary>
/// The jobs REST API under <c>/api/v1</c>: projects, runs submitted from a polyaxonfile's text and params, their
/// statuses, stop, restart, delete and logs (see <see cref="JobsApi.MapLogs"/>). Routes are mapped as MLflow RPCs: the
/// one strict request reader (duplicate keys, wrong types and unknown fields refused), MLflow's error shape (which
/// the CLI's client already reads), and a permission declared on every route.
/// </summary>
internal static partial class JobsApi
{
    public const string Prefix = "/api/v1";

    private static readonly string[] SubmitFields = ["content", "file_name", "params", "executor", "directory"];

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var state = app.ServiceProvider.GetRequiredService<MlflowState>();
        var queue = app.ServiceProvider.GetRequiredService<JobQueue>();
        var authorizer = app.ServiceProvider.GetService<Authorizer>();
        var auth = app.ServiceProvider.GetService<IAuthStore>();
        var group = app.MapGroup(Prefix);
        static string Project(MlflowRequest r) => r.Route("project") ?? throw MlflowRequest.Missing("project");
        static string Uuid(MlflowRequest r) => r.Route("uuid") ?? throw MlflowRequest.Missing("uuid");

        MlflowRpc.Map(group, "GET", "/projects", state, async (_, r, w, ct) =>
        {
            var user = r.Username is { } name && auth is not null ? await auth.GetUserAsync(name, ct) : null;
            w.WriteStartObject();
            w.WriteStartArray("projects");
            foreach (var project in await queue.Store.ListProjectsAsync(ct))
            {
                if (user is null || authorizer is null || await authorizer.CanReadProjectAsync(user, project.Name, ct))
                {
                    WriteProject(w, project);
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }, RoutePermission.SignedIn);

        MlflowRpc.Map(group, "POST", "/projects", state, async (_, r, w, ct) =>
        {
            var project = await queue.Store.CreateProjectAsync(r.RequireString("name"), r.String("description"), r.Username, ct);
            w.WriteStartObject();
            w.WritePropertyName("project");
            WriteProject(w, project);
            w.WriteEndObject();
        }, RoutePermission.SignedIn);

        MlflowRpc.Map(group, "GET", "/projects/{project}", state, async (_, r, w, ct) =>
        {
            var project = await queue.Store.GetProjectAsync(Project(r), ct) ?? throw TrackingException.NotFound($"No project named '{Project(r)}'.");
            w.WriteStartObject();
            w.WritePropertyName("project");
            WriteProject(w, project);
            w.WriteEndObject();
        }, RoutePermission.JobProject(Access.Read, Project), MlflowRoute.PathOnly);

        MlflowRpc.Map(group, "POST", "/projects/{project}/runs", state, async (_, r, w, ct) =>
        {
            if (r.BodyFields().FirstOrDefault(f => !SubmitFields.Contains(f, StringComparer.Ordinal)) is { } unknown)
            {
                throw TrackingException.Invalid($"Unknown field '{unknown}'; a submission has {string.Join(", ", SubmitFields)}.");
            }

            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in r.StringMap("params"))
            {
                parameters[name] = value;
            }

            var submission = new JobSubmission(r.RequireString("content"), r.String("file_name") ?? "polyaxonfile.yaml", parameters, Project(r),
                r.String("executor") ?? "local", r.String("directory"), r.Username);
            JobRunRecord run;
            try
            {
                run = await queue.SubmitAsync(submission, ct);
            }
            catch (FormatException e)
            {
                // A bad file or param: the compiler's message names the file, line and field.
                throw TrackingException.Invalid(e.Message);
            }

            WriteRunAnswer(w, run, null);
        }, RoutePermission.JobProject(Access.Update, Project));

        MlflowRpc.Map(group, "GET", "/projects/{project}/runs", state, async (_, r, w, ct) =>
        {
            var statuses = r.StringList("status").Select(ParseStatus).ToList();
            var offset = r.Int64("offset") ?? 0;
            var limit = r.Int64("limit") ?? 50;
            if (offset < 0 || limit is < 1 or > 1000)
            {
                throw TrackingException.Invalid($"offset must be at least 0 and limit between 1 and 1000 (got offset={offset}, limit={limit}).");
            }

            var runs = await queue.Store.PageRunsAsync(Project(r), statuses, (int)offset, (int)limit + 1, ct);
            w.WriteStartObject();
            w.WriteStartArray("runs");
            foreach (var run in runs.Take((int)limit))
            {
                WriteRun(w, run, null);
            }

            w.WriteEndArray();
            if (runs.Count > limit)
            {
                w.WriteNumber("next_offset", offset + limit);
            }

            w.WriteEndObject();
        }, RoutePermission.JobProject(Access.Read, Project), MlflowRoute.PathOnly);

        MlflowRpc.Map(group, "GET", "/runs/{uuid}", state, async (_, r, w, ct) =>
        {
            var run = await FindAsync(queue, Uuid(r), ct);
            WriteRunAnswer(w, run, await queue.Store.StatusesAsync(run.Uuid, ct));
        }, RoutePermission.JobRun(Access.Read, Uuid), MlflowRoute.PathOnly);

        MlflowRpc.Map(group, "POST", "/runs/{uuid}/stop", state, async (_, r, w, ct) =>
        {
            var run = await FindAsync(queue, Uuid(r), ct);
            if (!run.Status.IsDone())
            {
                await queue.StopAsync(run, r.Username, ct);
            }

            WriteRunAnswer(w, (await queue.Store.GetRunAsync(run.Uuid, ct))!, null);
        }, RoutePermission.JobRun(Access.Update, Uuid), MlflowRoute.PathOnly);

        MlflowRpc.Map(group, "POST", "/runs/{uuid}/restart", state, async (_, r, w, ct) =>
        {
            var run = await FindAsync(queue, Uuid(r), ct);
            WriteRunAnswer(w, await queue.RestartAsync(run, r.Username, ct), null);
        }, RoutePermission.JobRun(Access.Update, Uuid), MlflowRoute.PathOnly);

        MlflowRpc.Map(group, "DELETE", "/runs/{uuid}", state, async (_, r, w, ct) =>
        {
            var run = await FindAsync(queue, Uuid(r), ct);
            if (!run.Status.IsDone())
            {
                throw new TrackingException(ErrorCode.InvalidState, $"Run {run.Uuid} is {run.Status.Name()}; stop it before deleting it.");
            }

            await queue.Store.DeleteRunAsync(run.Uuid, ct);
            var folder = JobQueue.RunFolder(run);
            var removed = folder is not null && IsRunFolder(folder, run) && Delete(folder);
            w.WriteStartObject();
            w.WriteString("uuid", run.Uuid);
            w.WriteBoolean("folder_deleted", removed);
            w.WriteEndObject();
        }, RoutePermission.JobRun(Access.Delete, Uuid), MlflowRoute.PathOnly);

        if (auth is not null)
        {
            MapPermissions(group, state, auth);
        }

        MapLogs(group, queue);
        return app;
    }

    /// <summary>Grants on a project, as MLflow's experiment permission routes: MANAGE on the project to give or read them.</summary>
    private static void MapPermissions(RouteGroupBuilder group, MlflowState state, IAuthStore auth)
    {
        static string Project(MlflowRequest r) => r.Route("project") ?? throw MlflowRequest.Missing("project");
        var manage = RoutePermission.JobProject(Access.Manage, Project);
        MlflowRpc.Map(group, "POST", "/projects/{project}/permissions", state, async (_, r, w, ct) =>
        {
            await auth.CreateProjectPermissionAsync(Project(r), MlflowResources.Username(r), AccessLevel.Parse(r.RequireString("permission")), ct);
            MlflowRpc.WriteEmpty(w);
        }, manage);
        MlflowRpc.Map(group, "PATCH", "/projects/{project}/permissions", state, async (_, r, w, ct) =>
        {
            await auth.UpdateProjectPermissionAsync(Project(r), MlflowResources.Username(r), AccessLevel.Parse(r.RequireString("permission")), ct);
            MlflowRpc.WriteEmpty(w);
        }, manage);
        MlflowRpc.Map(group, "GET", "/projects/{project}/permissions", state, async (_, r, w, ct) =>
        {
            var name = MlflowResources.Username(r);
            var grant = await auth.GetProjectPermissionAsync(Project(r), name, ct)
                ?? throw TrackingException.NotFound($"Project permission with project={Project(r)} and username={name} not found");
            w.WriteStartObject();
            w.WriteStartObject("project_permission");
            w.WriteString("project", Project(r));
            w.WriteString("username", name);
            w.WriteString("permission", grant.Name);
            w.WriteEndObject();
            w.WriteEndObject();
        }, manage);
        MlflowRpc.Map(group, "DELETE", "/projects/{project}/permissions", state, async (_, r, w, ct) =>
        {
            await auth.DeleteProjectPermissionAsync(Project(r), MlflowResources.Username(r), ct);
            MlflowRpc.WriteEmpty(w);
        }, manage);
    }

    internal static async Task<JobRunRecord> FindAsync(JobQueue queue, string uuid, CancellationToken ct) =>
        await queue.Store.GetRunAsync(uuid, ct) ?? throw TrackingException.NotFound($"No run of a job with uuid {uuid}.");

    private static JobStatus ParseStatus(string name)
    {
        try
        {
            return JobStatuses.Parse(name);
        }
        catch (FormatException e)
        {
            throw TrackingException.Invalid("status: " + e.Message);
        }
    }

    // Only the run's own folder (named by its uuid, not a link) is removed, so an edited record cannot aim delete elsewhere.
    private static bool IsRunFolder(string folder, JobRunRecord run)
    {
        var info = new DirectoryInfo(folder);
        return info.Exists && info.Name == run.Uuid && info.LinkTarget is null;
    }

    private static bool Delete(string folder)
    {
        Directory.Delete(folder, recursive: true);
        return true;
    }

    private static void WriteProject(Utf8JsonWriter w, JobProject project)
    {
        w.WriteStartObject();
        w.WriteString("name", project.Name);
        w.WriteString("description", project.Description);
        w.WriteString("owner", project.Owner);
        w.WriteNumber("created_at", project.CreatedAt);
        w.WriteNumber("runs", project.Runs);
        w.WriteEndObject();
    }

    private static void WriteRunAnswer(Utf8JsonWriter w, JobRunRecord run, IReadOnlyList<JobStatusChange>? statuses)
    {
        w.WriteStartObject();
        w.WritePropertyName("run");
        WriteRun(w, run, statuses);
        w.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter w, JobRunRecord run, IReadOnlyList<JobStatusChange>? statuses)
    {
        w.WriteStartObject();
        w.WriteString("uuid", run.Uuid);
        w.WriteString("name", run.Name);
        w.WriteString("project", run.Project);
        w.WriteString("kind", run.Kind);
        w.WriteString("status", run.Status.Name());
        w.WriteString("executor", run.Executor);
        w.WriteString("spec_file", run.SpecFile);
        w.WriteString("submitted_by", run.SubmittedBy);
        w.WriteString("parent_uuid", run.ParentUuid);
        w.WriteNumber("created_at", run.CreatedAt);
        w.WriteNumber("updated_at", run.UpdatedAt);
        WriteNumber(w, "started_at", run.StartedAt);
        WriteNumber(w, "finished_at", run.FinishedAt);
        WriteNumber(w, "exit_code", run.ExitCode);
        w.WriteNumber("attempt", run.Attempt);
        w.WriteString("message", run.Message);
        w.WriteString("log_path", run.LogPath);
        w.WriteString("outputs_path", run.OutputsPath);
        w.WritePropertyName("inputs");
        w.WriteRawValue(run.InputsJson);
        if (run.OutputsJson is not null)
        {
            w.WritePropertyName("outputs");
            w.WriteRawValue(run.OutputsJson);
        }
        if (statuses is not null)
        {
            w.WritePropertyName("resolved_spec");
            w.WriteRawValue(run.ResolvedSpec);
            w.WriteStartArray("statuses");
            foreach (var s in statuses)
            {
                w.WriteStartObject();
                w.WriteString("status", s.Status.Name());
                w.WriteNumber("at", s.At);
                w.WriteString("message", s.Message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
