using Fathom.Data;
using Fathom.Pipelines;

namespace Fathom.Tests.Pipelines;

/// <summary>Params and metrics files in DVC's other formats: TOML, JSON and Python constants.</summary>
public sealed class ParamsFilesTests
{
    [Fact]
    public void Parse_Toml_TablesBecomeMappingsWithTypedValues()
    {
        var values = ParamsFiles.Parse("seed = 42\n\n[train]\nlr = 0.01\nlayers = [64, 32]\nname = \"cnn\"\nshuffle = true\n", "params.toml", ".toml");

        Assert.Equal(42L, values["seed"]);
        Assert.True(PipelineValues.TryGetPath(values, "train.lr", out var lr));
        Assert.Equal(0.01, lr);
        Assert.True(PipelineValues.TryGetPath(values, "train.layers", out var layers));
        Assert.Equal([64L, 32L], (List<object?>)layers!);
        Assert.True(PipelineValues.TryGetPath(values, "train.shuffle", out var shuffle));
        Assert.Equal(true, shuffle);
    }

    [Fact]
    public void Parse_BadToml_SaysFileAndLine()
    {
        var error = Assert.Throws<DvcFormatException>(() => ParamsFiles.Parse("a = 1\nb = = 2\n", "params.toml", ".toml"));

        Assert.StartsWith("params.toml:2:", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid TOML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Python_ReadsModuleConstantsAndClassAttributes()
    {
        const string text = """
            import os

            SEED = 20170428
            SPLIT: float = 0.2  # held out
            NAME = 'bow'
            DEBUG = False
            LAYERS = [64, 32]
            PATH = os.path.join("a", "b")


            class Train:
                lr = 0.01
                epochs = 10

            AFTER = "top"
            """;

        var values = ParamsFiles.Parse(text, "params.py", ".py");

        Assert.Equal(["SEED", "SPLIT", "NAME", "DEBUG", "LAYERS", "Train", "AFTER"], values.Keys);
        Assert.Equal(20170428L, values["SEED"]);
        Assert.Equal(0.2, values["SPLIT"]);
        Assert.Equal("bow", values["NAME"]);
        Assert.Equal(false, values["DEBUG"]);
        Assert.True(PipelineValues.TryGetPath(values, "Train.epochs", out var epochs));
        Assert.Equal(10L, epochs);
        Assert.Equal("top", values["AFTER"]);
    }

    [Fact]
    public void MetricsFiles_Toml_FlattensNumbers()
    {
        var values = MetricsFiles.Parse("acc = 0.9\n[test]\nloss = 0.25\nname = \"x\"\n", "metrics.toml");

        Assert.Equal(["acc", "test.loss"], values.Keys);
        Assert.Equal(0.25, values["test.loss"]);
    }

    [Fact]
    public void Parse_UnknownExtension_NamesTheSupportedOnes()
    {
        var error = Assert.Throws<DataException>(() => ParamsFiles.Parse("", "params.ini", ".ini"));

        Assert.Equal("Parameters file 'params.ini': unsupported format '.ini' (use .yaml, .yml, .json, .toml or .py).", error.Message);
    }
}
