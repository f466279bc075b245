using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Fathom.Jobs;

/// <summary>
/// Runs a job on Kubernetes through its API (KubernetesClient): the run's objects (<see cref="KubernetesManifests"/>)
/// are created in the namespace, the Job's status is watched until it completes or fails, the pod's log is streamed to
/// the run's log as it is written, and the main container's exit code is the attempt's. A service runs until it is
/// stopped. Stopping deletes the run's objects (and so its pods). The cluster is found as kubectl finds it:
/// <c>$KUBECONFIG</c>, else <c>~/.kube/config</c>, else the pod's service account when Fathom runs in the cluster; the
/// namespace is the kubeconfig context's (or the service account's), else <c>default</c>.
/// </summary>
internal sealed class KubernetesExecutor(KubernetesClientConfiguration config) : IJobExecutor, IJobManifests
{
    private static readonly TimeSpan PodPoll = TimeSpan.FromMilliseconds(500);

    public string Name => "kubernetes";

    public string Namespace { get; } = config.Namespace is { Length: > 0 } ns ? ns : "default";

    /// <summary>The executor for the cluster the usual places name (KUBECONFIG, ~/.kube/config, in-cluster).</summary>
    public static KubernetesExecutor FromDefaultConfig() => new(KubernetesClientConfiguration.BuildDefaultConfig());

    public string ArtifactsPath(AgentConfig agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return agent.ArtifactsStore.MountPath ?? AgentConfig.DefaultArtifactsMount;
    }

    public IReadOnlyList<string> Notes(JobLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var notes = new List<string>();
        foreach (var name in launch.Job.Run.Connections)
        {
            if (launch.Agent.Connection(name) is not { MountPath: not null } connection || (connection.VolumeClaim is null && connection.LocalPath is null))
            {
                notes.Add($"connection {name} has no volume claim (or host path) and mount path in the agent configuration; it is not mounted.");
            }
        }

        // The runner passes the store only when it is a tracking server: a pod cannot open a database on this machine.
        if (!launch.Environment.ContainsKey("FATHOM_TRACKING_URI") && !launch.Environment.ContainsKey("MLFLOW_TRACKING_URI"))
        {
            notes.Add("the runs' store is on this machine, which a pod cannot reach: what the job logs is not tracked unless it names a tracking server (an MLFLOW_TRACKING_URI input with toEnv).");
        }

        return notes;
    }

    /// <summary>What it does, as the kubectl command that would do the same with <see cref="Manifests"/> on its input.</summary>
    public IReadOnlyList<string> CommandLine(JobLaunch launch) => ["kubectl", "create", "--namespace", Namespace, "-f", "-"];

    public string Manifests(JobLaunch launch) => KubernetesManifests.Yaml(KubernetesManifests.Build(launch, Namespace));

    public async Task<int> RunAsync(JobLaunch launch, Action<string> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(output);
        var objects = KubernetesManifests.Build(launch, Namespace);
        using var client = new Kubernetes(config);
        try
        {
            foreach (var item in objects)
            {
                await CreateAsync(client, item, cancellationToken);
            }

            var pod = await StartedPodAsync(client, launch, cancellationToken);
            await FollowLogAsync(client, pod, KubernetesManifests.ContainerName(launch), output, cancellationToken);
            if (launch.Job.Run is ServiceRunSpec)
            {
                // A service's log ends only when its pod does; it runs until it is stopped.
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var job = await FinishedJobAsync(client, KubernetesManifests.ObjectName(launch), cancellationToken);
            return await ExitCodeAsync(client, launch, job, pod, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await DeleteAsync(client, objects);
            throw;
        }
        catch (HttpOperationException e)
        {
            throw new IOException($"the Kubernetes API at {config.Host} answered {(int)e.Response.StatusCode}: {e.Response.Content}", e);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"the Kubernetes API at {config.Host} cannot be reached: {e.Message}", e);
        }
    }

    private async Task CreateAsync(Kubernetes client, IKubernetesObject<V1ObjectMeta> item, CancellationToken cancellationToken)
    {
        switch (item)
        {
            case V1Job job:
                await client.BatchV1.CreateNamespacedJobAsync(job, Namespace, cancellationToken: cancellationToken);
                break;
            case V1Deployment deployment:
                await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Namespace, cancellationToken: cancellationToken);
                break;
            case V1Service service:
                await client.CoreV1.CreateNamespacedServiceAsync(service, Namespace, cancellationToken: cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"no create call for {item.Kind}.");
        }
    }

    // The run's pod once its container has started (a log can be read), or has ended before it was seen running.
    private async Task<V1Pod> StartedPodAsync(Kubernetes client, JobLaunch launch, CancellationToken cancellationToken)
    {
        while (true)
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: $"{KubernetesManifests.UuidLabel}={launch.Uuid}", cancellationToken: cancellationToken);
            if (pods.Items.FirstOrDefault(p => p.Status?.Phase is "Running" or "Succeeded" or "Failed") is { } pod)
            {
                return pod;
            }

            await Task.Delay(PodPoll, cancellationToken);
        }
    }

    private async Task FollowLogAsync(Kubernetes client, V1Pod pod, string container, Action<string> output, CancellationToken cancellationToken)
    {
        await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, Namespace, container: container, follow: true, cancellationToken: cancellationToken);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            output(line);
        }
    }

    // The Job once a Complete or Failed condition is true: read, then watched from the version read, again if a watch ends.
    private async Task<V1Job> FinishedJobAsync(Kubernetes client, string name, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await client.BatchV1.ReadNamespacedJobAsync(name, Namespace, cancellationToken: cancellationToken);
            if (Finished(job))
            {
                return job;
            }

            var watch = client.BatchV1.WatchListNamespacedJobAsync(Namespace, fieldSelector: $"metadata.name={name}",
                resourceVersion: job.Metadata.ResourceVersion, cancellationToken: cancellationToken);
            await foreach (var (_, changed) in watch)
            {
                if (Finished(changed))
                {
                    return changed;
                }
            }
        }
    }

    private static bool Finished(V1Job job) =>
        job.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true;

    private async Task<int> ExitCodeAsync(Kubernetes client, JobLaunch launch, V1Job job, V1Pod pod, CancellationToken cancellationToken)
    {
        var ended = await client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, Namespace, cancellationToken: cancellationToken);
        var status = ended.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == KubernetesManifests.ContainerName(launch));
        if (status?.State?.Terminated is { } terminated)
        {
            return terminated.ExitCode;
        }

        var failed = job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True");
        return failed is null ? 0 : throw new IOException($"the Job failed ({failed.Reason}: {failed.Message}) without an exit code of its container.");
    }

    // Deleting the Job (or Deployment) with its pods, in the background: a stop does not wait for the pods to go.
    private async Task DeleteAsync(Kubernetes client, IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
    {
        foreach (var item in objects)
        {
            try
            {
                _ = item switch
                {
                    V1Job => (object)await client.BatchV1.DeleteNamespacedJobAsync(item.Metadata.Name, Namespace, propagationPolicy: "Background"),
                    V1Deployment => await client.AppsV1.DeleteNamespacedDeploymentAsync(item.Metadata.Name, Namespace, propagationPolicy: "Background"),
                    _ => await client.CoreV1.DeleteNamespacedServiceAsync(item.Metadata.Name, Namespace),
                };
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Never created, or already gone.
            }
        }
    }
}
