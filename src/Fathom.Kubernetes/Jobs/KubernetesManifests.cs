using System.Collections.Immutable;
using System.Text;
using Fathom.Config;
using k8s;
using k8s.Models;

namespace Fathom.Jobs;

/// <summary>
/// The Kubernetes objects a compiled run becomes, as Polyaxon's agent makes them: a job a <c>batch/v1</c> Job, a service a
/// Deployment and a Service. The pod gets the main container as written (image, imagePullPolicy, command, args,
/// workingDir, env with the inputs' toEnv and <c>valueFrom</c> as written, resources including <c>nvidia.com/gpu</c>),
/// the artifacts store and each connection as the agent configuration says (a claim, else a host path), run.volumes as
/// written, and the environment's nodeSelector, tolerations, imagePullSecrets, serviceAccountName, labels and
/// annotations. Every object carries labels tying it to the run. Pure: nothing here talks to a cluster.
/// </summary>
internal static class KubernetesManifests
{
    /// <summary>The label every object of a run carries; the selector of its pods.</summary>
    public const string UuidLabel = "fathom.run/uuid";

    public const string DefaultContainerName = "main";

    /// <summary>The objects' name: the run's uuid, so a stop (or a server started again) finds them.</summary>
    public static string ObjectName(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        return "fathom-" + launch.Uuid;
    }

    /// <summary>The main container's name in the pod (the component's, else <c>main</c>).</summary>
    public static string ContainerName(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        return launch.Job.Container?.Name ?? DefaultContainerName;
    }

    /// <summary>The objects of a run in <paramref name="ns"/>, in the order they are created.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(JobLaunch launch, string ns)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentException.ThrowIfNullOrEmpty(ns);
        var labels = Labels(launch);
        var annotations = launch.Job.Run.Environment?.Annotations.Count > 0 ? new Dictionary<string, string>(launch.Job.Run.Environment.Annotations) : null;
        V1ObjectMeta Meta() => new() { Name = ObjectName(launch), NamespaceProperty = ns, Labels = labels, Annotations = annotations };
        var template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels, Annotations = annotations } };
        switch (launch.Job.Run)
        {
            case ServiceRunSpec service:
                template.Spec = Pod(launch, service.Container, "Always", service.Ports);
                var selector = new Dictionary<string, string> { [UuidLabel] = launch.Uuid };
                return
                [
                    new V1Deployment
                    {
                        ApiVersion = "apps/v1",
                        Kind = "Deployment",
                        Metadata = Meta(),
                        Spec = new V1DeploymentSpec { Replicas = service.Replicas ?? 1, Selector = new V1LabelSelector { MatchLabels = selector }, Template = template },
                    },
                    new V1Service
                    {
                        ApiVersion = "v1",
                        Kind = "Service",
                        Metadata = Meta(),
                        Spec = new V1ServiceSpec
                        {
                            Type = "ClusterIP",
                            Selector = selector,
                            Ports = [.. service.Ports.Select(p => new V1ServicePort { Name = $"port-{p}", Port = p, TargetPort = p, Protocol = "TCP" })],
                        },
                    },
                ];
            case JobRunSpec job:
                // The runner owns retries (termination.maxRetries) and the timeout: Kubernetes runs one attempt.
                var restart = launch.Job.Run.Environment?.RestartPolicy is "OnFailure" ? "OnFailure" : "Never";
                template.Spec = Pod(launch, job.Container, restart, []);
                return
                [
                    new V1Job
                    {
                        ApiVersion = "batch/v1",
                        Kind = "Job",
                        Metadata = Meta(),
                        Spec = new V1JobSpec { BackoffLimit = 0, TtlSecondsAfterFinished = launch.Job.Termination?.Ttl, Template = template },
                    },
                ];
            default:
                throw new ConfigException(new SourcePosition(launch.Job.File, 0, 0), "run.kind", $"'{launch.Job.Run.Kind}' has no Kubernetes objects; a dag runs its operations one by one.");
        }
    }

    /// <summary>The objects as YAML documents, as <c>kubectl create -f -</c> takes them.</summary>
    public static string Yaml(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var text = new StringBuilder();
        foreach (var item in objects)
        {
            text.Append("---\n").Append(KubernetesYaml.Serialize(item).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n')).Append('\n');
        }

        return text.ToString();
    }

    private static Dictionary<string, string> Labels(JobLaunch launch)
    {
        var labels = new Dictionary<string, string>(launch.Job.Run.Environment?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["app.kubernetes.io/managed-by"] = "fathom",
            ["app.kubernetes.io/name"] = LabelValue(launch.Job.Name),
            ["app.kubernetes.io/part-of"] = LabelValue(launch.Job.Globals.ProjectName),
            [UuidLabel] = launch.Uuid,
        };
        return labels;
    }

    private static V1PodSpec Pod(JobLaunch launch, ContainerSpec spec, string restartPolicy, IReadOnlyList<int> ports)
    {
        var file = launch.Job.File;
        var environment = launch.Job.Run.Environment;
        var volumes = new List<V1Volume>();
        var mounts = new List<V1VolumeMount>();
        var store = launch.Agent.ArtifactsStore;
        if (Source(store) is { } storeVolume)
        {
            volumes.Add(storeVolume);
            mounts.Add(new V1VolumeMount { Name = storeVolume.Name, MountPath = store.MountPath ?? AgentConfig.DefaultArtifactsMount });
        }

        foreach (var name in launch.Job.Run.Connections)
        {
            if (launch.Agent.Connection(name) is { MountPath: { } mountPath } connection && connection != store && Source(connection) is { } volume)
            {
                volumes.Add(volume);
                mounts.Add(new V1VolumeMount { Name = volume.Name, MountPath = mountPath, ReadOnlyProperty = connection.ReadOnly ? true : null });
            }
        }

        for (var i = 0; i < launch.Job.Run.Volumes.Count; i++)
        {
            volumes.Add(AsWritten<V1Volume>(Entry("name", launch.Job.Run.Volumes[i].Name), Entry(launch.Job.Run.Volumes[i].SourceKind, launch.Job.Run.Volumes[i].Source), file, $"run.volumes[{i}]"));
        }

        mounts.AddRange(spec.VolumeMounts.Select(m => new V1VolumeMount { Name = m.Name, MountPath = m.MountPath, SubPath = m.SubPath, ReadOnlyProperty = m.ReadOnly ? true : null }));

        var env = launch.Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new V1EnvVar { Name = e.Key, Value = e.Value }).ToList();
        for (var i = 0; i < spec.Env.Count; i++)
        {
            if (spec.Env[i].ValueFrom is { } valueFrom)
            {
                env.Add(new V1EnvVar { Name = spec.Env[i].Name, ValueFrom = AsWritten<V1EnvVarSource>(valueFrom, file, $"run.container.env[{i}].valueFrom") });
            }
        }

        var container = new V1Container
        {
            Name = spec.Name ?? DefaultContainerName,
            Image = spec.Image ?? throw new ConfigException(new SourcePosition(file, 0, 0), "run.container.image", "is required to run on Kubernetes."),
            ImagePullPolicy = spec.ImagePullPolicy,
            Command = spec.Command.Count > 0 ? [.. spec.Command] : null,
            Args = spec.Args.Count > 0 ? [.. spec.Args] : null,
            WorkingDir = spec.WorkingDir,
            Env = env.Count > 0 ? env : null,
            Resources = spec.Resources is { } resources ? new V1ResourceRequirements
            {
                Requests = resources.Requests.Count > 0 ? resources.Requests.ToDictionary(r => r.Key, r => new ResourceQuantity(r.Value)) : null,
                Limits = resources.Limits.Count > 0 ? resources.Limits.ToDictionary(r => r.Key, r => new ResourceQuantity(r.Value)) : null,
            } : null,
            VolumeMounts = mounts.Count > 0 ? mounts : null,
            Ports = ports.Count > 0 ? [.. ports.Select(p => new V1ContainerPort { ContainerPort = p, Protocol = "TCP" })] : null,
        };
        return new V1PodSpec
        {
            RestartPolicy = restartPolicy,
            Containers = [container],
            Volumes = volumes.Count > 0 ? volumes : null,
            NodeSelector = environment?.NodeSelector.Count > 0 ? new Dictionary<string, string>(environment.NodeSelector) : null,
            Tolerations = environment?.Tolerations.Count > 0
                ? [.. environment.Tolerations.Select(t => new V1Toleration { Key = t.Key, OperatorProperty = t.Operator, Value = t.Value, Effect = t.Effect, TolerationSeconds = t.TolerationSeconds })]
                : null,
            ImagePullSecrets = environment?.ImagePullSecrets.Count > 0 ? [.. environment.ImagePullSecrets.Select(s => new V1LocalObjectReference { Name = s })] : null,
            ServiceAccountName = environment?.ServiceAccountName,
        };
    }

    // A connection on Kubernetes: its claim (Polyaxon's volume_claim), else its host path; null when it has neither.
    private static V1Volume? Source(AgentConnection connection)
    {
        var name = LabelValue(connection.Name).ToLowerInvariant().Replace('_', '-').Replace('.', '-');
        if (connection.VolumeClaim is { } claim)
        {
            return new V1Volume { Name = name, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim, ReadOnlyProperty = connection.ReadOnly ? true : null } };
        }

        return connection.LocalPath is { } path
            ? new V1Volume { Name = name, HostPath = new V1HostPathVolumeSource { Path = path, Type = "DirectoryOrCreate" } }
            : null;
    }

    private static ConfigEntry Entry(string key, ConfigNode value) => new(key, value, SourcePosition.Generated);

    private static ConfigEntry Entry(string key, string value) => new(key, ConfigScalar.Of(value, SourcePosition.Generated), SourcePosition.Generated);

    private static T AsWritten<T>(ConfigNode node, string file, string field) => AsWritten<T>(node, node.Source, file, field);

    private static T AsWritten<T>(ConfigEntry first, ConfigEntry second, string file, string field) =>
        AsWritten<T>(new ConfigMap(ImmutableArray.Create(first, second), SourcePosition.Generated), second.Value.Source, file, field);

    // Kubernetes' own schema checks what Fathom keeps as written: an unknown or misspelt field is an error naming it.
    private static T AsWritten<T>(ConfigNode node, SourcePosition where, string file, string field)
    {
        try
        {
            return KubernetesYaml.Deserialize<T>(ConfigYamlWriter.Write(node), strict: true);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException(where.Line > 0 ? where : new SourcePosition(file, 0, 0), field, $"is not a Kubernetes {typeof(T).Name[2..]}: {(e.InnerException ?? e).Message}");
        }
    }

    // A label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.
    private static string LabelValue(string text)
    {
        var value = new string([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        value = value.Length > 63 ? value[..63] : value;
        return value.Trim('-', '_', '.');
    }
}
