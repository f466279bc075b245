using Fathom.Pipelines;

namespace Fathom.Tests.Pipelines;

public sealed class LockFileFormatTests
{
    // dvc.lock as DVC 3.x writes it (the example of DVC's docs, with a list cmd, nested and float params added).
    private const string DvcLock = """
        schema: '2.0'
        stages:
          prepare:
            cmd: python src/prepare.py data/data.xml
            deps:
            - path: data/data.xml
              hash: md5
              md5: 22a1a2931c8370d3aeedd7183606fd7f
              size: 14445097
            - path: src/prepare.py
              hash: md5
              md5: f09ea0c15980b43010257ccb9f0055e2
              size: 1576
              isexec: true
            params:
              params.yaml:
                prepare.seed: 20170428
                prepare.split: 0.2
            outs:
            - path: data/prepared
              hash: md5
              md5: 153aad06d376b6595932470e459ef42a.dir
              size: 8437363
              nfiles: 2
          train@1:
            cmd:
            - echo one
            - echo 'two'
            params:
              params.yaml:
                lr: 1e-05
                model:
                  layers:
                  - 64
                  - 32
                  name: cnn
                tags: []
              other.json:
                big: 1e+16
                flag: true
                name: '0.5'

        """;

    [Fact]
    public void ParseThenFormat_DvcWrittenLock_IsByteIdentical()
    {
        var text = DvcLock.Replace("\r\n", "\n", StringComparison.Ordinal);

        var parsed = LockFileFormat.Parse(text, "dvc.lock");

        Assert.Equal(text, LockFileFormat.Format(parsed));
        Assert.Equal(["prepare", "train@1"], parsed.Stages.Select(s => s.Key));
        Assert.Equal(0.2, parsed.Get("prepare")!.Params.Single().Value[1].Value);
    }

    [Fact]
    public void Format_LongCommand_FoldsAtTheFirstSpaceAfterColumn80LikeRuamel()
    {
        var cmd = "python train.py --data data/prepared --model out/model.pkl --epochs 10 --learning-rate 0.001 --seed 42";
        var lockFile = new LockFile();
        lockFile.Set("train", new LockEntry([cmd], false, [], [], []));

        var text = LockFileFormat.Format(lockFile);

        // "    cmd: python … --learning-rate" reaches column 81 at the space before "0.001"; the rest continues 6 spaces in.
        Assert.Equal("schema: '2.0'\nstages:\n  train:\n    cmd: python train.py --data data/prepared --model out/model.pkl --epochs 10 --learning-rate\n      0.001 --seed 42\n", text);
        Assert.Equal(cmd, LockFileFormat.Parse(text, "dvc.lock").Get("train")!.Cmd.Single());
    }

    // ruamel.yaml (YAML 1.2) writes a string plain unless it would read back as something else or its emitter forbids
    // it; then double quotes when it holds a quote, a line break or a tab, else single quotes.
    [Theory]
    [InlineData("yes", "yes")]
    [InlineData("off", "off")]
    [InlineData("NaN", "NaN")]
    [InlineData("-x", "-x")]
    [InlineData("?x", "?x")]
    [InlineData("a#b", "a#b")]
    [InlineData("it's", "it's")]
    [InlineData("True", "'True'")]
    [InlineData("Null", "'Null'")]
    [InlineData("", "''")]
    [InlineData("2024-01-31", "'2024-01-31'")]
    [InlineData("1_000", "'1_000'")]
    [InlineData("0x1F", "'0x1F'")]
    [InlineData("1e5", "'1e5'")]
    [InlineData(".5", "'.5'")]
    [InlineData("- x", "'- x'")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("a #b", "'a #b'")]
    [InlineData("#tag", "'#tag'")]
    [InlineData("--- x", "'--- x'")]
    [InlineData("'quoted' word", "\"'quoted' word\"")]
    [InlineData("a\tb", "\"a\\tb\"")]
    [InlineData("one\ntwo", "\"one\\ntwo\"")]
    public void Format_StringParam_QuotesLikeRuamel(string value, string expected)
    {
        var lockFile = new LockFile();
        lockFile.Set("s", new LockEntry(["x"], false, [], [new("params.yaml", [new("k", value)])], []));

        var text = LockFileFormat.Format(lockFile);

        Assert.Equal($"schema: '2.0'\nstages:\n  s:\n    cmd: x\n    params:\n      params.yaml:\n        k: {expected}\n", text);
        Assert.Equal(value, LockFileFormat.Parse(text, "dvc.lock").Get("s")!.Params.Single().Value.Single().Value);
    }

    [Theory]
    [InlineData(1e-05, "1e-05")]
    [InlineData(1e16, "1e+16")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(100.0, "100.0")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(1.2345678901234568e+17, "1.2345678901234568e+17")]
    [InlineData(-2.5, "-2.5")]
    public void PythonFloat_MatchesPythonRepr(double value, string expected) => Assert.Equal(expected, PipelineValues.PythonFloat(value));

    [Theory]
    [InlineData("schema: '1.0'\nstages: {}\n", "dvc.lock:1: schema: invalid schema version '1.0'")]
    [InlineData("prepare:\n  cmd: x\n", "dvc.lock:1: schema: missing")]
    [InlineData("schema: '2.0'\nstages:\n  s:\n    cmd: x\n    deps:\n    - path: a\n      size: big\n", "dvc.lock:7: stages.s.deps[0].size: expected a non-negative integer")]
    public void Parse_BadLock_NamesLineAndField(string text, string expected)
    {
        var error = Assert.Throws<Fathom.Data.DvcFormatException>(() => LockFileFormat.Parse(text, "dvc.lock"));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
