using Fathom.Config;
using Fathom.Jobs;

namespace Fathom.Tests.Jobs;

public sealed class PolyaxonReaderTests
{
    private static readonly string Samples = Path.Combine(FindRepository(), "samples", "imdb", "polyaxon");

    [Fact]
    public void Read_SampleProcessData_HasTheTemplatesShape()
    {
        var document = PolyaxonReader.ReadFile(Path.Combine(Samples, "process-data.yml"));
        var component = Assert.IsType<ComponentSpec>(document.Component);
        Assert.Equal("process-data", component.Name);
        Assert.Equal(["data_prep", "processed"], component.Tags);
        var raw = component.Inputs.Single(i => i.Name == "RAW_DATA_DIRS");
        Assert.Equal("list", raw.Type);
        Assert.False(raw.IsOptional);
        var job = Assert.IsType<JobRunSpec>(component.Run);
        Assert.Equal(["fstore-pvc"], job.Connections);
        Assert.Equal(["registry-credentials"], job.Environment!.ImagePullSecrets);
        Assert.Equal(["/bin/bash", "-c"], job.Container.Command);
        // A flow list's string spanning lines folds to one line, as PyYAML reads it.
        Assert.Equal(
            "fathom prep --experiment data-prep \"data_prep.raw_dirs_paths={{ RAW_DATA_DIRS }}\" data_prep.processed_data_path={{ PROCESSED_DATA_DIR }}",
            Assert.Single(job.Container.Args));
        Assert.Equal("2Gi", job.Container.Resources!.Limits["memory"]);
    }

    [Fact]
    public void Read_SampleTrainModel_InputsToEnvAndTermination()
    {
        var component = PolyaxonReader.ReadFile(Path.Combine(Samples, "train-model.yml")).Component!;
        Assert.Equal("MLFLOW_TRACKING_USERNAME", component.Inputs.Single(i => i.Name == "MLFLOW_TRACKING_USERNAME").ToEnv);
        Assert.Equal(new TerminationSpec(1, 3600, null), component.Termination);
        Assert.Equal(0.0, component.Inputs.Single(i => i.Name == "VAL_SPLIT").Validation!.Gt);
    }

    [Fact]
    public void Read_TemplateServiceWithPortsTolerationsAndVolumes()
    {
        var component = PolyaxonReader.Read("""
            version: 1.1
            kind: component
            name: vscode-service
            inputs:
              - name: WORKING_DIR
                isOptional: true
                type: str
            run:
              kind: service
              connections: [fstore-pvc]
              environment:
                nodeSelector: {pool: cpu}
                tolerations:
                  - key: "nvidia.com/gpu"
                    operator: "Equal"
                    value: "present"
                    effect: "NoSchedule"
                serviceAccountName: runner
                restartPolicy: Never
                labels: {team: nlp}
                annotations: {owner: me}
              volumes:
                - name: gcp-service-account
                  secret:
                    secretName: "gcp-sa-credentials"
              ports:
                - 8080
              rewritePath: true
              container:
                image: "vscode:1"
                workingDir: "{{ WORKING_DIR or globals.run_outputs_path }}"
                args:
                  - '--auth'
                  - none
                env:
                  - name: A
                    value: "1"
                volumeMounts:
                  - name: gcp-service-account
                    mountPath: /var/secret/cloud.google.com
            """, "vscode-service.yml").Component!;
        var service = Assert.IsType<ServiceRunSpec>(component.Run);
        Assert.Equal([8080], service.Ports);
        Assert.True(service.RewritePath);
        Assert.Equal("Equal", Assert.Single(service.Environment!.Tolerations).Operator);
        Assert.Equal("cpu", service.Environment.NodeSelector["pool"]);
        Assert.Equal(("gcp-service-account", "secret"), (service.Volumes[0].Name, service.Volumes[0].SourceKind));
        Assert.Equal("/var/secret/cloud.google.com", service.Container.VolumeMounts[0].MountPath);
        Assert.Equal(new EnvVarSpec("A", "1", null), service.Container.Env[0]);
    }

    [Fact]
    public void Read_Dag_OperationsDependenciesAndTriggers()
    {
        var dag = Assert.IsType<DagRunSpec>(PolyaxonReader.Read("""
            version: 1.1
            kind: component
            run:
              kind: dag
              concurrency: 2
              operations:
                - name: prep
                  dagRef: step
                - name: train
                  dagRef: step
                  dependencies: [prep]
                - name: report
                  dagRef: step
                  trigger: all_done
                  params:
                    loss: {ref: ops.train, value: outputs.loss}
                - name: cleanup
                  dagRef: step
                  dependencies: [train]
                  trigger: one_failed
              components:
                - name: step
                  inputs:
                    - {name: loss, type: float, isOptional: true}
                  run:
                    kind: job
                    container: {image: busybox, command: [echo, hi]}
            """, "dag.yml").Component!.Run);
        Assert.Equal(["prep", "train", "report", "cleanup"], DagPlan.Order(dag.Operations).Select(o => o.Name));
        Assert.Equal(["train"], DagPlan.Upstream(dag.Operations[2]));
        Assert.Equal(DagTrigger.OneFailed, dag.Operations[3].Trigger);
        Assert.Equal(JobStatus.UpstreamFailed, DagPlan.Decide(DagTrigger.AllSucceeded, [JobStatus.Failed], false));
        Assert.Equal(JobStatus.Skipped, DagPlan.Decide(DagTrigger.OneFailed, [JobStatus.Succeeded], false));
        Assert.Null(DagPlan.Decide(DagTrigger.AllDone, [JobStatus.Failed, JobStatus.Succeeded], false));
        Assert.Equal(JobStatus.Skipped, DagPlan.Decide(DagTrigger.AllDone, [JobStatus.Skipped], skipOnUpstreamSkip: true));
    }

    [Fact]
    public void Read_Operation_ParamsShortAndFullFormRunPatchAndPathRef()
    {
        var operation = PolyaxonReader.Read("""
            version: 1.1
            kind: operation
            name: prep-set1
            pathRef: ../polyaxon/process-data.yml
            params:
              WORKING_DIR: /home/aisg/repo
              RAW_DATA_DIRS:
                value: ["/data/raw/set1"]
              PROCESSED_DATA_DIR: {value: /data/processed, toEnv: OUT_DIR}
            runPatch:
              container:
                resources: {limits: {cpu: "1"}}
            """, "op.yml").Operation!;
        Assert.Equal("../polyaxon/process-data.yml", operation.PathRef);
        Assert.Equal("/home/aisg/repo", ((ConfigScalar)operation.Params["WORKING_DIR"].Value!).Value);
        Assert.IsType<ConfigList>(operation.Params["RAW_DATA_DIRS"].Value);
        Assert.Equal("OUT_DIR", operation.Params["PROCESSED_DATA_DIR"].ToEnv);
        Assert.NotNull(operation.RunPatch);
    }

    [Theory]
    [InlineData("version: 1.1\nkind: component\nrun:\n  kind: job\n  contaner: {image: a}\n", "f.yml:5: run.contaner: unknown field; did you mean 'container'?")]
    [InlineData("version: 1.1\nkind: component\ninputs:\n  - name: lr\n    isOptinal: true\nrun: {kind: job, container: {image: a}}\n", "f.yml:5: inputs[0] (lr).isOptinal: unknown field; did you mean 'isOptional'?")]
    [InlineData("version: 1.1\nkind: componnt\n", "f.yml:2: kind: 'componnt' is not a file kind Fathom runs: component or operation (did you mean 'component'?).")]
    [InlineData("version: 1.1\nkind: component\nrun:\n  kind: jobb\n  container: {image: a}\n", "f.yml:4: run.kind: 'jobb' is not a run kind; did you mean 'job'?.")]
    [InlineData("version: 1.1\nkind: component\ninputs:\n  - name: x\n    type: strr\nrun: {kind: job, container: {image: a}}\n", "f.yml:5: inputs[0] (x).type: 'strr' is not a Polyaxon type; did you mean 'str'?")]
    [InlineData("version: 1.1\nkind: component\ninputs:\n  - name: x\n    type: int\n    isFlag: true\nrun: {kind: job, container: {image: a}}\n", "IO type `int` cannot be a flag, it must be of type `bool`.")]
    [InlineData("version: 1.1\nkind: component\ninputs:\n  - name: x\n    type: int\n    isOptional: false\n    value: 3\nrun: {kind: job, container: {image: a}}\n", "IO `x` is not optional and has default value `3`")]
    [InlineData("version: 1.1\nkind: component\ninputs:\n  - name: x\n    type: int\n    value: abc\nrun: {kind: job, container: {image: a}}\n", "f.yml:6: inputs[0] (x).value: Could not parse value `abc` for `x` (type int): expected an integer, e.g. 3.")]
    [InlineData("kind: component\nrun: {kind: job, container: {image: a}}\n", "version: is required: version: 1.1")]
    [InlineData("version: 1.1\nkind: component\n", "f.yml:1: run: is required")]
    [InlineData("version: 1.1\nkind: component\nrun:\n  kind: job\n  container: {image: a}\n  environment:\n    tolerations:\n      - {key: k, operator: Equals}\n", "f.yml:8: run.environment.tolerations[0].operator: 'Equals' is not Equal or Exists (did you mean 'Equal'?).")]
    [InlineData("version: 1.1\nkind: component\nrun:\n  kind: job\n  container:\n    image: a\n    volumeMounts: [{name: data, mountPath: /d}]\n", "mounts volume 'data', which run.volumes does not declare")]
    [InlineData("version: 1.1\nkind: operation\nhubRef: tensorboard:v1\n", "")]
    [InlineData("version: 1.1\nkind: component\nrun:\n  kind: dag\n  operations:\n    - {name: a, dagRef: c, dependencies: [b]}\n    - {name: b, dagRef: c, dependencies: [a]}\n  components:\n    - name: c\n      run: {kind: job, container: {image: x}}\n", "the dependencies form a cycle: 'a' -> 'b' -> 'a'.")]
    [InlineData("version: 1.1\nkind: component\nrun:\n  kind: dag\n  operations:\n    - {name: a, dagRef: c, trigger: all_succeded}\n  components:\n    - name: c\n      run: {kind: job, container: {image: x}}\n", "'all_succeded' is not a trigger (did you mean 'all_succeeded'?)")]
    public void Read_BadFile_OneClearError(string yaml, string expected)
    {
        if (expected.Length == 0)
        {
            // hubRef reads fine; it is refused when the run is compiled (the hub is not reachable offline).
            var document = PolyaxonReader.Read(yaml, "f.yml");
            var e = Assert.Throws<ConfigException>(() => JobCompiler.Resolve(document));
            Assert.Contains("Component Hub, which Fathom cannot reach", e.Message, StringComparison.Ordinal);
            return;
        }

        var error = Assert.Throws<ConfigException>(() => PolyaxonReader.Read(yaml, "f.yml"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SeveralProblems_AllReportedOneLineEach()
    {
        var error = Assert.Throws<ConfigException>(() => PolyaxonReader.Read(
            "version: 1.1\nkind: component\nnmae: x\ninputs:\n  - name: a\n    tpye: int\nrun:\n  kind: job\n  container: {image: a, comand: [x]}\n", "f.yml"));
        var lines = error.Message.Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Contains("f.yml:3: nmae: unknown field; did you mean 'name'?", lines);
        Assert.Contains("f.yml:6: inputs[0] (a).tpye: unknown field; did you mean 'type'?", lines);
        Assert.Contains("f.yml:9: run.container.comand: unknown field; did you mean 'command'?", lines);
    }

    [Fact]
    public void Read_AliasBomb_RefusedWithTheLine()
    {
        var bomb = "version: 1.1\nkind: component\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + string.Join("", Enumerable.Range(0, 7).Select(i => $"{(char)('b' + i)}: &{(char)('b' + i)} [*{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}]\n"));
        var error = Assert.Throws<ConfigException>(() => PolyaxonReader.Read(bomb, "bomb.yml"));
        Assert.Contains("bomb.yml:", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
    }

    internal static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (Fathom.slnx) is not above the test folder.");
    }
}
