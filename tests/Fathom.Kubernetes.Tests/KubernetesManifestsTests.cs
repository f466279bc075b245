using Fathom.Jobs;
using Fathom.Tracking;
using k8s;
using k8s.Models;

namespace Fathom.Kubernetes.Tests;

/// <summary>
/// The objects the reference workflow's components become (golden files, one per component), each read back into
/// KubernetesClient's typed models with unknown fields rejected, so a manifest Kubernetes would refuse fails here.
/// Set FATHOM_UPDATE_GOLDEN=1 to write the golden files after a change that is meant.
/// </summary>
public sealed class KubernetesManifestsTests : IDisposable
{
    private const string Uuid = "0123456789abcdef0123456789abcdef";

    private static readonly string Root = Path.GetDirectoryName(Path.GetDirectoryName(RepositorySamples.Imdb))!;
    private static readonly string Folder = Path.Combine(Root, "tests", "Fathom.Kubernetes.Tests");

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fathom-k8s-tests", Guid.NewGuid().ToString("N"));

    public KubernetesManifestsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string, string[]> Components => new()
    {
        { "samples/imdb/polyaxon/process-data.yml", "process-data.yaml", ["RAW_DATA_DIRS=[\"/data/raw/set1\"]", "PROCESSED_DATA_DIR=/data/processed/combined", "WORKING_DIR=/home/aisg/repo"] },
        { "samples/imdb/polyaxon/train-model.yml", "train-model.yaml", ["WORKING_DIR=/home/aisg/repo", "INPUT_DATA_DIR=/data/processed/combined"] },
        { "tests/Fathom.Kubernetes.Tests/Components/train-model-gpu.yml", "train-model-gpu.yaml", ["WORKING_DIR=/home/aisg/repo", "MLFLOW_TRACKING_URI=http://mlflow.mlops.svc:5000"] },
        { "tests/Fathom.Kubernetes.Tests/Components/model-api-service.yml", "model-api-service.yaml", [] },
    };

    [Theory]
    [MemberData(nameof(Components))]
    public void Manifests_ReferenceComponents_MatchTheGoldenFilesAndKubernetesSchema(string component, string golden, string[] parameters)
    {
        var yaml = Plan(Path.Combine(Root, component), parameters, out _);

        var path = Path.Combine(Folder, "Golden", golden);
        if (Environment.GetEnvironmentVariable("FATHOM_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, yaml);
        }

        Assert.Equal(File.ReadAllText(path), yaml);
        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(path), null, strict: true);
        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
        Assert.All(objects.Cast<IKubernetesObject<V1ObjectMeta>>(), o => Assert.Equal(Uuid, o.Metadata.Labels[KubernetesManifests.UuidLabel]));
    }

    [Fact]
    public void Manifests_GpuJob_MapsEveryFieldOfTheComponentAsWritten()
    {
        var yaml = Plan(Path.Combine(Folder, "Components", "train-model-gpu.yml"), ["WORKING_DIR=/w"], out _);

        var job = Assert.IsType<V1Job>(Assert.Single(KubernetesYaml.LoadAllFromString(yaml, null, strict: true)));
        var pod = job.Spec.Template.Spec;
        var main = Assert.Single(pod.Containers);
        Assert.Equal(("batch/v1", "Job", "fathom-" + Uuid, "mlops"), (job.ApiVersion, job.Kind, job.Metadata.Name, job.Metadata.NamespaceProperty));
        Assert.Equal((0, 600), (job.Spec.BackoffLimit, job.Spec.TtlSecondsAfterFinished));
        Assert.Equal("1", main.Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Equal("nvidia.com/gpu", Assert.Single(pod.Tolerations).Key);
        Assert.Equal("nvidia-tesla-t4", pod.NodeSelector["cloud.google.com/gke-accelerator"]);
        Assert.Equal(("registry-credentials", "trainer"), (Assert.Single(pod.ImagePullSecrets).Name, pod.ServiceAccountName));
        Assert.Equal(("nlp", "nlp-team"), (job.Metadata.Labels["team"], job.Spec.Template.Metadata.Annotations["example.com/owner"]));
        Assert.Equal("gcp-sa-credentials", pod.Volumes.Single(v => v.Name == "gcp-service-account").Secret.SecretName);
        Assert.Equal("train-settings", pod.Volumes.Single(v => v.Name == "train-settings").ConfigMap.Name);
        Assert.Equal("Memory", pod.Volumes.Single(v => v.Name == "scratch").EmptyDir.Medium);
        Assert.True(pod.Volumes.Single(v => v.Name == "datasets").PersistentVolumeClaim.ReadOnlyProperty);
        Assert.Equal("/var/cache/fathom", pod.Volumes.Single(v => v.Name == "host-cache").HostPath.Path);
        Assert.Equal("fstore-pvc", pod.Volumes.Single(v => v.Name == "fstore-pvc").PersistentVolumeClaim.ClaimName);
        Assert.Equal("/data", main.VolumeMounts.Single(m => m.Name == "fstore-pvc").MountPath);
        Assert.Equal("train", main.VolumeMounts.Single(m => m.Name == "host-cache").SubPath);
        Assert.Equal("mlflow-credentials", main.Env.Single(e => e.Name == "MLFLOW_TRACKING_PASSWORD").ValueFrom.SecretKeyRef.Name);
        Assert.Equal(["fathom train train.epochs=3"], main.Args);
    }

    [Fact]
    public void Manifests_MisspeltVolumeSource_IsAnErrorNamingTheField()
    {
        var file = Path.Combine(_dir, "bad.yml");
        File.WriteAllText(file, "version: 1.1\nkind: component\nrun:\n  kind: job\n  volumes:\n    - name: creds\n      secret: {secretNmae: x}\n  container: {image: busybox}\n");

        var error = Assert.ThrowsAny<FormatException>(() => Plan(file, [], out _));

        Assert.Contains("run.volumes[0]: is not a Kubernetes Volume", error.Message, StringComparison.Ordinal);
        Assert.Contains("secretNmae", error.Message, StringComparison.Ordinal);
    }

    private string Plan(string component, string[] parameters, out JobLaunch launch)
    {
        var agentFile = Path.Combine(_dir, "agent.yaml");
        File.WriteAllText(agentFile, """
            artifactsStore:
              name: artifacts
              kind: volume_claim
              schema: {volumeClaim: polyaxon-artifacts, mountPath: /plx-context/artifacts}
            connections:
              - name: fstore-pvc
                kind: volume_claim
                schema: {volumeClaim: fstore-pvc, mountPath: /data}
            """);
        var executor = new KubernetesExecutor(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1", Namespace = "mlops" });
        var document = PolyaxonReader.ReadFile(component, Path.GetFileName(component));
        var request = new JobRequest(document, CliParams.Parse(parameters), "imdb", AgentConfig.Read(agentFile, _dir),
            StoreLocation.Parse("http://fathom.mlops.svc:5000", _dir), _dir, "tester");
        var plan = new JobRunner(null!, executor, new FixedTime()).Plan(request, Uuid);
        launch = plan.Launch;
        return executor.Manifests(plan.Launch);
    }

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    }
}
