using System.Text.Json;
using Fathom.Config;

namespace Fathom.Jobs;

internal sealed partial class DagRunner
{
    /// <summary>The name of the file a job writes its outputs to, a JSON object, in its outputs folder.</summary>
    public const string OutputsFile = "outputs.json";

    /// <summary>
    /// One run of a DAG: the operations ended so far (read by their downstream's refs) and where statuses and lines go.
    /// The scheduling loop is the only writer of <see cref="Done"/>; an operation reads it before its first await.
    /// </summary>
    private sealed class Execution(
        DagRunner owner, JobRequest request, DagPlanned plan, string uuid, JobGlobals globals, StreamWriter log,
        Action<string> output, Action<string?, JobStatus, string?>? onStatus)
    {
        private static readonly Dictionary<string, string> NoParams = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public Dictionary<string, Ended> Done { get; } = new(StringComparer.Ordinal);

        public async Task MoveAsync(string? name, string runUuid, JobStatus status, string? message)
        {
            if (await owner._store.SetStatusAsync(runUuid, status, message, null, CancellationToken.None))
            {
                Heard(name, status, message);
            }
        }

        /// <summary>Records an operation that ends without running (its trigger was not met, the DAG stopped, it did not compile).</summary>
        public async Task<Ended> NeverRanAsync(OperationSpec op, JobStatus status, string message)
        {
            var child = JobRunner.NewUuid();
            var at = owner._time.GetUtcNow().ToUnixTimeMilliseconds();
            await owner._store.CreateRunAsync(new JobRunRecord(child, request.Project, op.Name!, KindOf(plan.Children[op.Name!]), JobStatus.Created,
                owner._executor.Name, request.Document.File, "{}", "{}", at, at, null, null, null, null, null, 1, null, null, uuid), CancellationToken.None);
            await MoveAsync(op.Name, child, status, message);
            return new Ended(child, status, message, null);
        }

        /// <summary>Compiles an operation with its refs read from the runs it refers to, runs it as a job, and reads its outputs.</summary>
        public async Task<Ended> RunOperationAsync(OperationSpec op, CancellationToken cancellationToken)
        {
            var name = op.Name!;
            var childUuid = JobRunner.NewUuid();
            var runner = new JobRunner(owner._store, owner._executor, owner._time);
            JobRequest child;
            JobPlan jobPlan;
            try
            {
                child = request with { Document = plan.Children[name], Params = NoParams, ParentUuid = uuid, RefValues = ResolveRefs(op, plan.Inputs, globals, Done) };
                jobPlan = runner.Plan(child, childUuid);
            }
            catch (ConfigException e)
            {
                return await NeverRanAsync(op, JobStatus.Failed, e.Message);
            }

            var outcome = await runner.RunAsync(child, jobPlan, line =>
            {
                lock (_gate)
                {
                    output($"[{name}] {line}");
                }
            }, status => Heard(name, status, null), cancellationToken);
            if (outcome.Status != JobStatus.Succeeded)
            {
                return new Ended(childUuid, outcome.Status, outcome.Message, null);
            }

            var job = jobPlan.Launch.Job;
            var outputs = new Dictionary<string, object?>(job.Outputs, StringComparer.Ordinal);
            try
            {
                ReadOutputs(JobCompiler.Resolve(child.Document).Component, Path.Combine(jobPlan.Launch.HostOutputsFolder, OutputsFile), outputs);
            }
            catch (Exception e) when (e is ConfigException or IOException or JsonException or IoValueException)
            {
                lock (_gate)
                {
                    output($"[{name}] {OutputsFile}: {e.Message} (its declared outputs keep their defaults)");
                }
            }

            await owner._store.SetOutputsAsync(childUuid, JsonSerializer.Serialize(outputs), CancellationToken.None);
            return new Ended(childUuid, outcome.Status, outcome.Message, new RefSource(job.Inputs, outputs, job.Globals.ToContext(owner._time.GetUtcNow())));
        }

        private void Heard(string? name, JobStatus status, string? message)
        {
            onStatus?.Invoke(name, status, message);
            lock (_gate)
            {
                log.WriteLine($"{name ?? "dag"}: {status.Name()}{(message is null ? "" : " — " + message)}");
            }
        }
    }

    /// <summary>
    /// The outputs a job gave (Polyaxon's <c>log_outputs</c>; here a JSON object the job writes to <see cref="OutputsFile"/>
    /// in <c>$POLYAXON_RUN_OUTPUTS_PATH</c>), each parsed by the output's declared type, over the declared values.
    /// </summary>
    private static void ReadOutputs(ComponentSpec component, string file, Dictionary<string, object?> outputs)
    {
        if (!File.Exists(file))
        {
            return;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(file));
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException("must hold a JSON object of the component's outputs, such as {\"accuracy\": 0.9}.");
        }

        foreach (var property in document.RootElement.EnumerateObject())
        {
            var io = component.Outputs.FirstOrDefault(o => o.Name == property.Name)
                ?? throw new ConfigException($"'{property.Name}' is not an output of {component.File}; declared: {string.Join(", ", component.Outputs.Select(o => o.Name))}.");
            outputs[io.Name] = IoValues.Coerce(io, IoValues.FromJson(property.Value));
        }
    }
}
