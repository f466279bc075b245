using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// A Polyaxon component (<c>kind: component</c>, spec version 1.1): what a job is and which inputs it takes. Read as
/// written, templates unrendered; <see cref="RunNode"/> keeps the raw <c>run</c> section, which is rendered with the
/// run's params and read again (Polyaxon renders the run section before it validates its values, so
/// <c>timeout: "{{ T }}"</c> is legal).
/// </summary>
internal sealed record ComponentSpec(
    string? Name,
    string? Description,
    IReadOnlyList<string> Tags,
    IReadOnlyList<IoSpec> Inputs,
    IReadOnlyList<IoSpec> Outputs,
    TerminationSpec? Termination,
    RunSpec Run,
    ConfigMap RunNode,
    ConfigNode? TerminationNode,
    string File)
{
    /// <summary>Inputs and outputs, the names params may set and templates may read.</summary>
    public IEnumerable<IoSpec> Io => Inputs.Concat(Outputs);
}

/// <summary>
/// One input or output (Polyaxon's V1IO). <see cref="Value"/> is the default as written; <see cref="HasValue"/> tells an
/// explicit <c>value: null</c> (which makes the IO optional) from no value at all.
/// </summary>
internal sealed record IoSpec(
    string Name,
    string? Type,
    ConfigNode? Value,
    bool HasValue,
    bool IsOptional,
    bool IsList,
    bool IsFlag,
    string? ToEnv,
    string? ArgFormat,
    string? Description,
    string? Connection,
    IoValidation? Validation,
    bool IsOutput,
    SourcePosition Source);

/// <summary>The constraints of an IO's <c>validation</c> (and v1's <c>options</c>) that Fathom checks eagerly.</summary>
internal sealed record IoValidation(
    double? Gt,
    double? Ge,
    double? Lt,
    double? Le,
    string? Regex,
    int? MinLength,
    int? MaxLength,
    int? MinItems,
    int? MaxItems,
    IReadOnlyList<object?>? Options,
    bool Delay);

/// <summary><c>termination</c>: retries after a failure, seconds before the run is stopped, seconds kept after it ends.</summary>
internal sealed record TerminationSpec(int? MaxRetries, int? Timeout, int? Ttl);

/// <summary>A run section: <c>job</c>, <c>service</c> or <c>dag</c>, with what they share.</summary>
internal abstract record RunSpec(
    string Kind,
    EnvironmentSpec? Environment,
    IReadOnlyList<string> Connections,
    IReadOnlyList<VolumeSpec> Volumes);

/// <summary><c>run.kind: job</c>: one container that runs to completion.</summary>
internal sealed record JobRunSpec(EnvironmentSpec? Environment, IReadOnlyList<string> Connections, IReadOnlyList<VolumeSpec> Volumes, ContainerSpec Container)
    : RunSpec("job", Environment, Connections, Volumes);

/// <summary><c>run.kind: service</c>: a job that keeps running and exposes <see cref="Ports"/>.</summary>
internal sealed record ServiceRunSpec(
    EnvironmentSpec? Environment,
    IReadOnlyList<string> Connections,
    IReadOnlyList<VolumeSpec> Volumes,
    ContainerSpec Container,
    IReadOnlyList<int> Ports,
    bool RewritePath,
    bool IsExternal,
    int? Replicas)
    : RunSpec("service", Environment, Connections, Volumes);

/// <summary><c>run.kind: dag</c>: operations with their dependencies.</summary>
internal sealed record DagRunSpec(
    EnvironmentSpec? Environment,
    IReadOnlyList<string> Connections,
    IReadOnlyList<VolumeSpec> Volumes,
    IReadOnlyList<OperationSpec> Operations,
    IReadOnlyList<ComponentSpec> Components,
    int? Concurrency)
    : RunSpec("dag", Environment, Connections, Volumes);

/// <summary>The main container, Kubernetes' Container in camelCase (the fields Fathom acts on; others are accepted).</summary>
internal sealed record ContainerSpec(
    string? Name,
    string? Image,
    string? ImagePullPolicy,
    IReadOnlyList<string> Command,
    IReadOnlyList<string> Args,
    string? WorkingDir,
    IReadOnlyList<EnvVarSpec> Env,
    ResourcesSpec? Resources,
    IReadOnlyList<VolumeMountSpec> VolumeMounts);

/// <summary>An environment variable: a value, or a <c>valueFrom</c> reference (secrets, config maps) kept as written.</summary>
internal sealed record EnvVarSpec(string Name, string? Value, ConfigNode? ValueFrom);

/// <summary>Resource requests and limits as Kubernetes quantities (<c>cpu: "4"</c>, <c>memory: 4Gi</c>, <c>nvidia.com/gpu: 1</c>).</summary>
internal sealed record ResourcesSpec(IReadOnlyDictionary<string, string> Requests, IReadOnlyDictionary<string, string> Limits);

/// <summary>Where a volume appears in the container.</summary>
internal sealed record VolumeMountSpec(string Name, string MountPath, string? SubPath, bool ReadOnly);

/// <summary>A Kubernetes volume: its name and its one source (<c>secret</c>, <c>persistentVolumeClaim</c>, <c>hostPath</c>, …) as written.</summary>
internal sealed record VolumeSpec(string Name, string SourceKind, ConfigNode Source);

/// <summary><c>run.environment</c>: how the pod is scheduled (acted on by the Kubernetes executor; recorded locally).</summary>
internal sealed record EnvironmentSpec(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    IReadOnlyDictionary<string, string> NodeSelector,
    IReadOnlyList<TolerationSpec> Tolerations,
    IReadOnlyList<string> ImagePullSecrets,
    string? ServiceAccountName,
    string? RestartPolicy);

/// <summary>A Kubernetes toleration.</summary>
internal sealed record TolerationSpec(string? Key, string? Operator, string? Value, string? Effect, long? TolerationSeconds);
