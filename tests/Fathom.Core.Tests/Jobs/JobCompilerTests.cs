using Fathom.Config;
using Fathom.Jobs;

namespace Fathom.Tests.Jobs;

public sealed class JobCompilerTests
{
    private static readonly string Samples = Path.Combine(PolyaxonReaderTests.FindRepository(), "samples", "imdb", "polyaxon");
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static CompiledJob Compile(string file, params string[] cliParams) =>
        JobCompiler.Compile(PolyaxonReader.ReadFile(Path.Combine(Samples, file)), CliParams.Parse(cliParams), Globals, Now);

    private static JobGlobals Globals(string name, IReadOnlyList<int>? ports) =>
        new("0123456789abcdef0123456789abcdef", name, "imdb", "default", "aisg", Now, "/plx-context", "/plx-context/artifacts", Ports: ports);

    [Fact]
    public void Compile_ProcessData_ListParamRenderedAsPythonPrintsIt()
    {
        var job = Compile("process-data.yml", "RAW_DATA_DIRS=[\"/data/raw/set1\"]", "PROCESSED_DATA_DIR=/data/processed/combined", "WORKING_DIR=/home/aisg/repo");
        var container = job.Container!;
        Assert.Equal("/home/aisg/repo", container.WorkingDir);
        Assert.Equal("registry.example.com/imdb/data-prep:0.1.0", container.Image);
        Assert.Equal(
            "fathom prep --experiment data-prep \"data_prep.raw_dirs_paths=['/data/raw/set1']\" data_prep.processed_data_path=/data/processed/combined",
            Assert.Single(container.Args));
        Assert.Equal(new List<object?> { "/data/raw/set1" }, job.Inputs["RAW_DATA_DIRS"]);
        Assert.Equal("process-data", job.Name);
    }

    [Fact]
    public void Compile_TrainModel_BoolsAsPythonAndInputsToEnv()
    {
        var job = Compile("train-model.yml", "WORKING_DIR=/w", "INPUT_DATA_DIR=/data/processed", "TEXT_IS_CLEAN=f", "VAL_SPLIT=0.25", "MLFLOW_TRACKING_USERNAME=alice");
        Assert.Equal("fathom train --experiment sentiment train.data_path=/data/processed train.val_split=0.25 train.text_is_clean=False", Assert.Single(job.Container!.Args));
        Assert.Equal("alice", job.InputEnvironment["MLFLOW_TRACKING_USERNAME"]);
        Assert.False(job.InputEnvironment.ContainsKey("MLFLOW_TRACKING_PASSWORD"));
        Assert.Equal(new TerminationSpec(1, 3600, null), job.Termination);
    }

    [Fact]
    public void Compile_MissingRequiredInputs_AllListedAtOnce()
    {
        var error = Assert.Throws<ConfigException>(() => Compile("process-data.yml"));
        Assert.Contains("missing required inputs WORKING_DIR, RAW_DATA_DIRS: pass them with -P WORKING_DIR=VALUE -P RAW_DATA_DIRS='[\"a\", \"b\"]'.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RAW_DATA_DIRS=/data/raw/set1", "-P RAW_DATA_DIRS: Could not parse value `/data/raw/set1` for `RAW_DATA_DIRS` (type list): expected a list, written as JSON: '[\"a\", \"b\"]'.")]
    [InlineData("RAW_DATA_DIRS=['/a']", "not valid JSON")]
    [InlineData("RAW_DATA_DIR=[\"/a\"]", "-P RAW_DATA_DIR: ")]
    public void Compile_BadParam_OneClearError(string param, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => Compile("process-data.yml", param, "WORKING_DIR=/w"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        if (param.StartsWith("RAW_DATA_DIR=", StringComparison.Ordinal))
        {
            Assert.Contains("did you mean 'RAW_DATA_DIRS'?", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("VAL_SPLIT=abc", "Could not parse value `abc` for `VAL_SPLIT` (type float): expected a number, e.g. 0.5.")]
    [InlineData("VAL_SPLIT=1.5", "Could not parse value `1.5` for `VAL_SPLIT` (type float): must be > 0 and < 1.")]
    [InlineData("TEXT_IS_CLEAN=yes", "Could not parse value `yes` for `TEXT_IS_CLEAN` (type bool): expected a boolean: true or false (also t/f, 1/0).")]
    public void Compile_ValueAgainstTypeAndValidation(string param, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => Compile("train-model.yml", param, "WORKING_DIR=/w", "INPUT_DATA_DIR=/d"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("novalue", "Invalid format for -P parameter: 'novalue'. Use -P name=value.")]
    [InlineData("=3", "Invalid format for -P parameter: '=3'.")]
    public void CliParams_Malformed(string param, string expected)
    {
        var error = Assert.Throws<FormatException>(() => CliParams.Parse([param]));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("Repeated parameter: 'a'", Assert.Throws<FormatException>(() => CliParams.Parse(["a=1", "a=2"])).Message, StringComparison.Ordinal);
        Assert.Equal("x=y", CliParams.Parse(["q=x=y"])["q"]);
    }

    [Theory]
    [InlineData("int", "12.0", 12L)]
    [InlineData("int", "12.7", 12L)]
    [InlineData("float", "3", 3.0)]
    [InlineData("bool", "T", true)]
    [InlineData("bool", "0", false)]
    [InlineData("str", "123", "123")]
    public void Coerce_PolyaxonsTypeParser(string type, string raw, object expected)
    {
        var io = new IoSpec("x", type, null, false, false, false, false, null, null, null, null, null, false, SourcePosition.Generated);
        Assert.Equal(expected, IoValues.Coerce(io, raw));
    }

    [Fact]
    public void Compile_OperationWithPathRefParamsAndRunPatch()
    {
        using var dir = new TempDirectory();
        var op = Path.Combine(dir.Path, "op.yml");
        File.Copy(Path.Combine(Samples, "process-data.yml"), Path.Combine(dir.Path, "process-data.yml"));
        File.WriteAllText(op, """
            version: 1.1
            kind: operation
            name: prep-set1
            pathRef: ./process-data.yml
            params:
              WORKING_DIR: /repo
              RAW_DATA_DIRS: {value: ["/a", "/b"]}
              PROCESSED_DATA_DIR: {value: "{{ globals.run_outputs_path }}/processed"}
            runPatch:
              container:
                image: local/prep:dev
            termination: {timeout: 60}
            """);
        var job = JobCompiler.Compile(PolyaxonReader.ReadFile(op), CliParams.Parse(["WORKING_DIR=/override"]), Globals, Now);
        Assert.Equal("prep-set1", job.Name);
        Assert.Equal("/override", job.Container!.WorkingDir);
        Assert.Equal("local/prep:dev", job.Container.Image);
        Assert.Contains("['/a', '/b']", job.Container.Args[0], StringComparison.Ordinal);
        Assert.Contains("processed_data_path=/plx-context/artifacts/0123456789abcdef0123456789abcdef/outputs/processed", job.Container.Args[0], StringComparison.Ordinal);
        Assert.Equal(60, job.Termination!.Timeout);
    }

    [Fact]
    public void Compile_ServiceWorkingDirFallsBackToRunOutputs()
    {
        var document = PolyaxonReader.Read("""
            version: 1.1
            kind: component
            inputs:
              - {name: WORKING_DIR, isOptional: true, type: str}
              - {name: use_bn, type: bool, isFlag: true, value: true}
              - {name: lr, type: float, value: 0.01, argFormat: "lr={{ lr }}"}
            run:
              kind: service
              ports: [8080]
              container:
                image: x
                workingDir: "{{ WORKING_DIR or globals.run_outputs_path }}"
                args: ["{{ params.use_bn.as_arg }}", "{{ params.lr.as_arg }}", "{{ globals.ports[0] }}", "{{ use_bn }}"]
            """, "svc.yml");
        var job = JobCompiler.Compile(document, new Dictionary<string, string>(), Globals, Now);
        Assert.Equal("/plx-context/artifacts/0123456789abcdef0123456789abcdef/outputs", job.Container!.WorkingDir);
        Assert.Equal(["--use_bn", "lr=0.01", "8080", "--use_bn"], job.Container.Args);
    }

    [Fact]
    public void Compile_TemplatesStrInputHoldingJson_SplicedVerbatimIntoTheShellCommand()
    {
        // The reference template declares RAW_DATA_DIRS as a str and passes JSON text to yq: a str is spliced as typed.
        var document = PolyaxonReader.Read("""
            version: 1.1
            kind: component
            name: preprocess-data
            inputs:
              - {name: WORKING_DIR, isOptional: false, type: str}
              - {name: RAW_DATA_DIRS, isOptional: false, type: str}
              - {name: PROCESSED_DATA_DIR, isOptional: true, type: str}
              - {name: SA_CRED_PATH, isOptional: true, type: str, value: /var/secret/sa.json, toEnv: GOOGLE_APPLICATION_CREDENTIALS}
            run:
              kind: job
              connections: [fstore-pvc]
              container:
                image: "asia.gcr.io/project/data-prep:0.1.0"
                workingDir: "{{ WORKING_DIR }}"
                command: ["/bin/bash", "-c"]
                args: [
                  "source ~/.bashrc &&
                  yq e '.data_prep.raw_dirs_paths = {{ RAW_DATA_DIRS }}' -i conf/base/pipelines.yml &&
                  python src/process_data.py
                  data_prep.processed_data_path={{ PROCESSED_DATA_DIR }}"
                ]
            """, "process-data.yml");
        var job = JobCompiler.Compile(document, CliParams.Parse(["RAW_DATA_DIRS=[\"/data/raw/set1\"]", "PROCESSED_DATA_DIR=/data/processed/combined", "WORKING_DIR=/home/aisg/repo"]), Globals, Now);
        Assert.Equal(
            "source ~/.bashrc && yq e '.data_prep.raw_dirs_paths = [\"/data/raw/set1\"]' -i conf/base/pipelines.yml && python src/process_data.py data_prep.processed_data_path=/data/processed/combined",
            Assert.Single(job.Container!.Args));
        Assert.Equal("/var/secret/sa.json", job.InputEnvironment["GOOGLE_APPLICATION_CREDENTIALS"]);
    }
}
