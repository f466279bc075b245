using Fathom.Config;

namespace Fathom.Jobs;

/// <summary>
/// Where the names a polyaxonfile uses live on this machine, as Polyaxon's agent configuration says it for a cluster:
/// the artifacts store (where each run gets <c>uuid/outputs</c> and its log), and each connection and volume with the
/// host folder the local and container executors use and the mount path a container (or Kubernetes, through its volume
/// claim) sees. Read from YAML:
/// <code>
/// artifactsStore:
///   name: artifacts
///   kind: host_path
///   schema: {hostPath: .fathom/jobs/artifacts, mountPath: /plx-context/artifacts}
/// connections:
///   - name: fstore-pvc
///     kind: volume_claim
///     schema: {volumeClaim: fstore-pvc, mountPath: /polyaxon-v1-data, readOnly: false}
///     localPath: /srv/fstore            # the host folder (local and container executors)
/// volumes:                              # run.volumes by name: the host folder a container mounts
///   gcp-service-account: ~/.config/gcloud
/// container:
///   runtime: podman                     # or docker; default: the first on PATH
///   flags: [--runtime, runc, --cgroup-manager, cgroupfs]   # before 'run'
///   runFlags: [--ulimit, "nofile=1024:1024", --ulimit, "nproc=1000:1000"]
/// </code>
/// Relative host paths are relative to the file's folder.
/// </summary>
internal sealed record AgentConfig(
    AgentConnection ArtifactsStore,
    IReadOnlyList<AgentConnection> Connections,
    IReadOnlyDictionary<string, string> Volumes,
    string? ContainerRuntime,
    IReadOnlyList<string> ContainerFlags,
    IReadOnlyList<string> ContainerRunFlags,
    string? File)
{
    /// <summary>Where a container sees the artifacts store when the configuration does not say (Polyaxon's context path).</summary>
    public const string DefaultArtifactsMount = "/plx-context/artifacts";

    /// <summary>The configuration when there is no file: artifacts in <paramref name="localFolder"/>/jobs/artifacts, nothing else mapped.</summary>
    public static AgentConfig Default(string localFolder) => new(
        new AgentConnection("artifacts", "host_path", Path.Combine(localFolder, "jobs", "artifacts"), DefaultArtifactsMount, false, null),
        [], new Dictionary<string, string>(), null, [], [], null);

    public AgentConnection? Connection(string name) => Connections.FirstOrDefault(c => c.Name == name) ?? (ArtifactsStore.Name == name ? ArtifactsStore : null);

    /// <summary>Reads the file; <paramref name="localFolder"/> gives the default artifacts folder when it names none.</summary>
    public static AgentConfig Read(string path, string localFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: no such agent configuration.", path);
        }

        if (info.Length > PolyaxonReader.MaxFileBytes)
        {
            throw new ConfigException(new SourcePosition(path, 0, 0), "", "is too large for an agent configuration; refused.");
        }

        var root = ConfigYaml.Load(System.IO.File.ReadAllText(path), path).Root;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var reader = new SpecReader(rendered: true);
        reader.KnownKeys(root, "", ["artifactsStore", "connections", "volumes", "container"]);
        var fallback = Default(localFolder).ArtifactsStore;
        var store = reader.Map(root.TryGet("artifactsStore"), "artifactsStore") is { } storeMap
            ? Connection(reader, storeMap, "artifactsStore", folder)
            : fallback;
        store = store with
        {
            LocalPath = store.LocalPath ?? fallback.LocalPath,
            MountPath = store.MountPath ?? DefaultArtifactsMount,
        };
        var connections = new List<AgentConnection>();
        var items = reader.List(root, "connections", "");
        for (var i = 0; i < items.Count; i++)
        {
            if (reader.Map(items[i], $"connections[{i}]") is { } c)
            {
                connections.Add(Connection(reader, c, $"connections[{i}]", folder));
            }
        }

        var volumes = reader.StringMap(root, "volumes", "").ToDictionary(p => p.Key, p => HostPath(p.Value, folder), StringComparer.Ordinal);
        var container = reader.Map(root.TryGet("container"), "container") ?? ConfigMap.Empty(root.Source);
        reader.KnownKeys(container, "container", ["runtime", "flags", "runFlags"]);
        var runtime = reader.String(container, "runtime", "container");
        reader.ThrowIfErrors();
        return new AgentConfig(store, connections, volumes, runtime, reader.StringList(container, "flags", "container"), reader.StringList(container, "runFlags", "container"), path);
    }

    private static AgentConnection Connection(SpecReader reader, ConfigMap map, string path, string folder)
    {
        reader.KnownKeys(map, path, ["name", "kind", "schema", "localPath", "description", "tags", "secret", "configMap", "env", "annotations"]);
        var schema = reader.Map(map.TryGet("schema"), SpecReader.Join(path, "schema")) ?? ConfigMap.Empty(map.Source);
        var schemaPath = SpecReader.Join(path, "schema");
        var kind = reader.String(map, "kind", path) ?? "host_path";
        var hostPath = reader.String(schema, "hostPath", schemaPath);
        var local = reader.String(map, "localPath", path) ?? hostPath;
        return new AgentConnection(
            reader.Required(map, "name", path) ?? "",
            kind,
            local is null ? null : HostPath(local, folder),
            reader.String(schema, "mountPath", schemaPath),
            reader.Bool(schema, "readOnly", schemaPath),
            reader.String(schema, "volumeClaim", schemaPath));
    }

    private static string HostPath(string path, string folder)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "");
        }

        return Path.GetFullPath(Path.Combine(folder, path));
    }
}

/// <summary>A connection of the agent: its host folder (local, container), its mount path (container, Kubernetes) and claim.</summary>
internal sealed record AgentConnection(string Name, string Kind, string? LocalPath, string? MountPath, bool ReadOnly, string? VolumeClaim);
