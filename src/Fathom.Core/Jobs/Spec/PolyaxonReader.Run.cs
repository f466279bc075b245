using Fathom.Config;

namespace Fathom.Jobs;

internal static partial class PolyaxonReader
{
    private static readonly string[] RunKinds = ["job", "service", "dag"];

    // Kinds of the spec Fathom reads but cannot run (Kubeflow operators, Ray/Dask clusters, internal kinds).
    private static readonly string[] OtherRunKinds = ["tfjob", "pytorchjob", "mpijob", "mxjob", "xgbjob", "paddlejob", "ray_cluster", "dask_cluster", "tuner", "notifier", "cleaner", "watchdog"];

    private static readonly string[] SharedRunKeys = ["kind", "environment", "connections", "volumes", "init", "sidecars", "container"];
    private static readonly string[] ServiceKeys = [.. SharedRunKeys, "ports", "rewritePath", "isExternal", "replicas"];
    private static readonly string[] DagKeys = ["kind", "operations", "components", "environment", "connections", "volumes", "concurrency", "earlyStopping"];

    private static readonly string[] ContainerKeys =
    [
        "name", "image", "imagePullPolicy", "command", "args", "workingDir", "env", "envFrom", "resources", "volumeMounts",
        "volumeDevices", "ports", "securityContext", "stdin", "stdinOnce", "tty", "lifecycle", "livenessProbe", "readinessProbe",
        "startupProbe", "terminationMessagePath", "terminationMessagePolicy", "resizePolicy", "restartPolicy",
    ];

    private static readonly string[] EnvironmentKeys =
    [
        "labels", "annotations", "nodeSelector", "affinity", "tolerations", "nodeName", "serviceAccountName", "hostAliases",
        "securityContext", "imagePullSecrets", "hostNetwork", "hostPID", "dnsPolicy", "dnsConfig", "schedulerName",
        "priorityClassName", "priority", "restartPolicy",
    ];

    private static readonly string[] VolumeSources =
    [
        "secret", "configMap", "persistentVolumeClaim", "hostPath", "emptyDir", "nfs", "csi", "projected", "downwardAPI", "ephemeral",
    ];

    /// <summary>
    /// Reads a run section after rendering: every template is gone, so numbers must be numbers. Every problem is
    /// reported at once; <paramref name="file"/> names the file the section came from.
    /// </summary>
    public static RunSpec ReadRendered(ConfigMap run, string file)
    {
        ArgumentNullException.ThrowIfNull(run);
        var reader = new SpecReader(rendered: true);
        var spec = Run(reader, run, "run", file);
        reader.ThrowIfErrors();
        return spec;
    }

    private static RunSpec Run(SpecReader reader, ConfigMap map, string path, string file)
    {
        var kind = reader.String(map, "kind", path);
        if (kind is null)
        {
            reader.Error(map.Source, SpecReader.Join(path, "kind"), "is required: job, service or dag.");
            kind = "job";
        }
        else if (OtherRunKinds.Contains(kind))
        {
            reader.Error(map.TryGet("kind")!.Source, SpecReader.Join(path, "kind"), $"'{kind}' runs are not supported by Fathom yet; it runs job, service and dag.");
        }
        else if (!RunKinds.Contains(kind))
        {
            var nearest = ConfigBinder.Nearest(kind, RunKinds);
            reader.Error(map.TryGet("kind")!.Source, SpecReader.Join(path, "kind"), $"'{kind}' is not a run kind{(nearest is null ? "; use job, service or dag" : $"; did you mean '{nearest}'?")}.");
        }

        reader.KnownKeys(map, path, kind switch { "service" => ServiceKeys, "dag" => DagKeys, _ => SharedRunKeys });
        var environment = Environment(reader, map.TryGet("environment"), SpecReader.Join(path, "environment"));
        var connections = reader.StringList(map, "connections", path);
        var volumes = Volumes(reader, map, path);
        if (kind == "dag")
        {
            var operations = new List<OperationSpec>();
            var items = reader.List(map, "operations", path);
            for (var i = 0; i < items.Count; i++)
            {
                if (reader.Map(items[i], $"{path}.operations[{i}]") is { } op)
                {
                    reader.KnownKeys(op, $"{path}.operations[{i}]", OperationKeys);
                    operations.Add(Operation(reader, op, $"{path}.operations[{i}]", file));
                }
            }

            var components = new List<ComponentSpec>();
            var componentItems = reader.List(map, "components", path);
            for (var i = 0; i < componentItems.Count; i++)
            {
                if (reader.Map(componentItems[i], $"{path}.components[{i}]") is { } c)
                {
                    reader.KnownKeys(c, $"{path}.components[{i}]", ComponentKeys);
                    CheckVersion(reader, c, file, required: false);
                    components.Add(Component(reader, c, $"{path}.components[{i}]", file));
                }
            }

            DagChecks.Check(reader, map, path, operations, components);
            return new DagRunSpec(environment, connections, volumes, operations, components, reader.Int(map, "concurrency", path));
        }

        var containerPath = SpecReader.Join(path, "container");
        var container = Container(reader, map.TryGet("container"), containerPath);
        if (container is null)
        {
            reader.Error(map.Source, containerPath, "is required for a job or service: the container to run (image, command, args).");
            container = new ContainerSpec(null, null, null, [], [], null, [], null, []);
        }

        foreach (var mount in container.VolumeMounts)
        {
            if (!volumes.Any(v => v.Name == mount.Name))
            {
                reader.Error(map.Source, SpecReader.Join(containerPath, "volumeMounts"),
                    $"mounts volume '{mount.Name}', which run.volumes does not declare{Suggest(mount.Name, volumes.Select(v => v.Name))}.");
            }
        }

        if (kind != "service")
        {
            return new JobRunSpec(environment, connections, volumes, container);
        }

        var ports = new List<int>();
        var portItems = reader.List(map, "ports", path);
        for (var i = 0; i < portItems.Count; i++)
        {
            if (reader.Int(portItems[i], $"{path}.ports[{i}]") is { } port)
            {
                if (port is < 1 or > 65535)
                {
                    reader.Error(portItems[i].Source, $"{path}.ports[{i}]", $"{port} is not a port (1-65535).");
                }

                ports.Add(port);
            }
        }

        return new ServiceRunSpec(environment, connections, volumes, container, ports,
            reader.Bool(map, "rewritePath", path), reader.Bool(map, "isExternal", path), reader.Int(map, "replicas", path));
    }

    private static ContainerSpec? Container(SpecReader reader, ConfigNode? node, string path)
    {
        if (reader.Map(node, path) is not { } map)
        {
            return null;
        }

        reader.KnownKeys(map, path, ContainerKeys);
        var env = new List<EnvVarSpec>();
        var envItems = reader.List(map, "env", path);
        for (var i = 0; i < envItems.Count; i++)
        {
            var where = $"{path}.env[{i}]";
            if (reader.Map(envItems[i], where) is not { } item)
            {
                continue;
            }

            reader.KnownKeys(item, where, ["name", "value", "valueFrom"]);
            var name = reader.Required(item, "name", where);
            env.Add(new EnvVarSpec(name ?? "", reader.String(item, "value", where), item.TryGet("valueFrom")));
        }

        ResourcesSpec? resources = null;
        if (reader.Map(map.TryGet("resources"), SpecReader.Join(path, "resources")) is { } res)
        {
            var where = SpecReader.Join(path, "resources");
            reader.KnownKeys(res, where, ["requests", "limits", "claims"]);
            resources = new ResourcesSpec(reader.StringMap(res, "requests", where), reader.StringMap(res, "limits", where));
        }

        var mounts = new List<VolumeMountSpec>();
        var mountItems = reader.List(map, "volumeMounts", path);
        for (var i = 0; i < mountItems.Count; i++)
        {
            var where = $"{path}.volumeMounts[{i}]";
            if (reader.Map(mountItems[i], where) is { } m)
            {
                reader.KnownKeys(m, where, ["name", "mountPath", "subPath", "readOnly", "mountPropagation", "subPathExpr", "recursiveReadOnly"]);
                mounts.Add(new VolumeMountSpec(reader.Required(m, "name", where) ?? "", reader.Required(m, "mountPath", where) ?? "", reader.String(m, "subPath", where), reader.Bool(m, "readOnly", where)));
            }
        }

        var policy = reader.String(map, "imagePullPolicy", path);
        if (reader.Rendered && policy is not null and not ("Always" or "IfNotPresent" or "Never"))
        {
            reader.Error(map.TryGet("imagePullPolicy")!.Source, SpecReader.Join(path, "imagePullPolicy"), $"'{policy}' is not Always, IfNotPresent or Never{Suggest(policy, ["Always", "IfNotPresent", "Never"])}.");
        }

        return new ContainerSpec(
            reader.String(map, "name", path),
            reader.String(map, "image", path),
            policy,
            reader.StringList(map, "command", path, allowScalar: true),
            reader.StringList(map, "args", path, allowScalar: true),
            reader.String(map, "workingDir", path),
            env,
            resources,
            mounts);
    }

    private static EnvironmentSpec? Environment(SpecReader reader, ConfigNode? node, string path)
    {
        if (reader.Map(node, path) is not { } map)
        {
            return null;
        }

        reader.KnownKeys(map, path, EnvironmentKeys);
        var tolerations = new List<TolerationSpec>();
        var items = reader.List(map, "tolerations", path);
        for (var i = 0; i < items.Count; i++)
        {
            var where = $"{path}.tolerations[{i}]";
            if (reader.Map(items[i], where) is { } t)
            {
                reader.KnownKeys(t, where, ["key", "operator", "value", "effect", "tolerationSeconds"]);
                var op = reader.String(t, "operator", where);
                if (op is not null and not ("Equal" or "Exists"))
                {
                    reader.Error(t.TryGet("operator")!.Source, SpecReader.Join(where, "operator"), $"'{op}' is not Equal or Exists{Suggest(op, ["Equal", "Exists"])}.");
                }

                var effect = reader.String(t, "effect", where);
                if (effect is not null and not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
                {
                    reader.Error(t.TryGet("effect")!.Source, SpecReader.Join(where, "effect"), $"'{effect}' is not NoSchedule, PreferNoSchedule or NoExecute{Suggest(effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"])}.");
                }

                tolerations.Add(new TolerationSpec(reader.String(t, "key", where), op, reader.String(t, "value", where), effect, reader.Int(t, "tolerationSeconds", where)));
            }
        }

        var restart = reader.String(map, "restartPolicy", path);
        if (restart is not null and not ("Always" or "OnFailure" or "Never"))
        {
            reader.Error(map.TryGet("restartPolicy")!.Source, SpecReader.Join(path, "restartPolicy"), $"'{restart}' is not Always, OnFailure or Never{Suggest(restart, ["Always", "OnFailure", "Never"])}.");
        }

        return new EnvironmentSpec(
            reader.StringMap(map, "labels", path),
            reader.StringMap(map, "annotations", path),
            reader.StringMap(map, "nodeSelector", path),
            tolerations,
            reader.StringList(map, "imagePullSecrets", path),
            reader.String(map, "serviceAccountName", path),
            restart);
    }

    private static List<VolumeSpec> Volumes(SpecReader reader, ConfigMap map, string path)
    {
        var volumes = new List<VolumeSpec>();
        var items = reader.List(map, "volumes", path);
        for (var i = 0; i < items.Count; i++)
        {
            var where = $"{path}.volumes[{i}]";
            if (reader.Map(items[i], where) is not { } v)
            {
                continue;
            }

            reader.KnownKeys(v, where, ["name", .. VolumeSources]);
            var name = reader.Required(v, "name", where) ?? "";
            var sources = v.Entries.Where(e => e.Key != "name" && VolumeSources.Contains(e.Key)).ToList();
            if (sources.Count != 1)
            {
                reader.Error(v.Source, where, $"a volume takes exactly one source ({string.Join(", ", VolumeSources)}); found {sources.Count}.");
                continue;
            }

            volumes.Add(new VolumeSpec(name, sources[0].Key, sources[0].Value));
        }

        return volumes;
    }

    private static string Suggest(string value, IEnumerable<string> candidates) =>
        ConfigBinder.Nearest(value, candidates) is { } nearest ? $" (did you mean '{nearest}'?)" : "";
}
