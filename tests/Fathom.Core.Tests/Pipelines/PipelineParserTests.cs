using Fathom.Data;
using Fathom.Pipelines;

namespace Fathom.Tests.Pipelines;

public sealed class PipelineParserTests
{
    private static Pipeline Parse(string yaml, string? paramsYaml = null)
    {
        using var dir = new TempDirectory();
        if (paramsYaml is not null)
        {
            dir.WriteFile("params.yaml", paramsYaml);
        }

        return PipelineParser.Parse(yaml, dir.Combine("dvc.yaml"), "dvc.yaml");
    }

    [Fact]
    public void Foreach_ListOfScalars_NamesMembersByValueAndInterpolatesItem()
    {
        var pipeline = Parse("""
            stages:
              build:
                foreach: [us, eu]
                do:
                  cmd: make ${item}
                  outs:
                  - out/${item}.bin
            """);

        Assert.Equal(["build@us", "build@eu"], pipeline.Stages.Select(s => s.Name));
        Assert.Equal("make eu", pipeline.Stages[1].Cmd.Single());
        Assert.Equal("out/eu.bin", pipeline.Stages[1].Outs.Single().Path);
        Assert.All(pipeline.Stages, s => Assert.Equal("build", s.Group));
    }

    [Fact]
    public void Foreach_ListOfDicts_NamesByIndex_AndDictByKey()
    {
        var pipeline = Parse("""
            stages:
              train:
                foreach:
                - {lr: 0.1, name: small}
                - {lr: 0.2, name: big}
                do:
                  cmd: train --lr ${item.lr} --name ${item.name}
              zip:
                foreach:
                  a: {level: 1}
                  b: {level: 9}
                do:
                  cmd: zip -${item.level} ${key}
            """);

        Assert.Equal(["train@0", "train@1", "zip@a", "zip@b"], pipeline.Stages.Select(s => s.Name));
        Assert.Equal("train --lr 0.2 --name big", pipeline.Stages[1].Cmd.Single());
        Assert.Equal("zip -9 b", pipeline.Stages[3].Cmd.Single());
    }

    [Fact]
    public void Matrix_ProductInDeclarationOrder_NamesJoinValuesWithDashes()
    {
        var pipeline = Parse("""
            stages:
              fit:
                matrix:
                  model: [cnn, xgb]
                  feature: [f1, f2]
                  config: [{a: 1}]
                cmd: fit ${item.model} ${item.feature} ${item.config.a} ${key}
            """);

        Assert.Equal(["fit@cnn-f1-config0", "fit@cnn-f2-config0", "fit@xgb-f1-config0", "fit@xgb-f2-config0"], pipeline.Stages.Select(s => s.Name));
        Assert.Equal("fit xgb f1 1 xgb-f1-config0", pipeline.Stages[2].Cmd.Single());
    }

    [Fact]
    public void Templating_ParamsYamlAndVars_KeepsTypesAndTracksUsedParams()
    {
        var pipeline = Parse(
            """
            vars:
            - local: {epochs: 3, flag: true}
            stages:
              train:
                cmd: python train.py ${train.lr} ${local.epochs} ${local.flag} \${literal}
                params:
                - seed
                frozen: ${local.flag}
            """,
            "train:\n  lr: 1.0e-05\nseed: 7\n");

        var stage = pipeline.Stages.Single();
        Assert.Equal("python train.py 1e-05 3 true ${literal}", stage.Cmd.Single());
        Assert.True(stage.Frozen);
        // train.lr was read from params.yaml, so it is a param of the stage; local.* came from inline vars, so it is not.
        var paramsDep = Assert.Single(stage.Params);
        Assert.Equal("params.yaml", paramsDep.File);
        Assert.Equal(["seed", "train.lr"], paramsDep.Keys!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Templating_DictInCmd_IsUnpackedToArguments()
    {
        var pipeline = Parse(
            "stages:\n  s:\n    cmd: run ${opts}\n",
            "opts:\n  lr: 0.1\n  name: my model\n  verbose: true\n  quiet: false\n  layers: [1, 2]\n  nested: {depth: 3}\n");

        Assert.Equal("run --lr 0.1 --name 'my model' --verbose --layers 1 2 --nested.depth 3", pipeline.Stages.Single().Cmd.Single());
    }

    [Fact]
    public void Outs_FlagsAndKinds_AreRead()
    {
        var pipeline = Parse("""
            stages:
              s:
                cmd: [echo a, echo b]
                wdir: sub
                outs:
                - model.bin
                - checkpoints:
                    persist: true
                    cache: false
                metrics:
                - metrics.json:
                    cache: false
                plots:
                - loss.csv
                always_changed: true
            """);

        var stage = pipeline.Stages.Single();
        Assert.True(stage.CmdIsList);
        Assert.Equal(["echo a", "echo b"], stage.Cmd);
        Assert.EndsWith(Path.DirectorySeparatorChar + "sub", stage.Wdir, StringComparison.Ordinal);
        Assert.Equal(
            [new StageOutput("model.bin", true, false, StageOutputKind.Out), new StageOutput("checkpoints", false, true, StageOutputKind.Out),
             new StageOutput("metrics.json", false, false, StageOutputKind.Metric), new StageOutput("loss.csv", true, false, StageOutputKind.Plot)],
            stage.Outs.Select(o => o with { Plot = null, Line = 0 }));
        Assert.Equal([6, 7, 11, 14], stage.Outs.Select(o => o.Line));
        Assert.Equal("loss.csv", stage.Outs[3].Plot?.Id);
        Assert.True(stage.AlwaysChanged);
    }

    [Theory]
    [InlineData("stages:\n  train:\n    cmd: python train.py\n    deps: data.csv\n", "dvc.yaml:4: stage 'train': 'deps' must be a list.")]
    [InlineData("stages:\n  train:\n    deps: [a]\n", "dvc.yaml:3: stage 'train': 'cmd' is required.")]
    [InlineData("stages:\n  train:\n    cmd: x\n    outz: [a]\n", "dvc.yaml:4: stage 'train': unknown field 'outz'")]
    [InlineData("stages:\n  train:\n    cmd: x\n    frozen: maybe\n", "dvc.yaml:4: stage 'train': 'frozen' must be true or false.")]
    [InlineData("stages:\n  train:\n    cmd: x ${nope.lr}\n", "dvc.yaml:3: stage 'train': cmd: could not find 'nope.lr'")]
    [InlineData("stages:\n  train:\n    cmd: [x\n", "dvc.yaml:4: invalid YAML")]
    [InlineData("stages:\n  bad name:\n    cmd: x\n", "dvc.yaml:2: stages.bad name: invalid stage name")]
    [InlineData("stages:\n  s:\n    foreach: [a]\n    cmd: x\n", "dvc.yaml:3: stage 's': 'foreach' needs a 'do' mapping")]
    [InlineData("vars:\n- {a: 1}\n- {a: 2}\nstages: {}\n", "dvc.yaml:3: vars: cannot redefine 'a'")]
    public void BadInput_IsReportedWithFileLineAndField(string yaml, string expected)
    {
        var error = Assert.ThrowsAny<Exception>(() => Parse(yaml));

        Assert.True(error is DvcFormatException or DataException, error.GetType().Name);
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
