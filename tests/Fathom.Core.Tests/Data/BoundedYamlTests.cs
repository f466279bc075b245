using System.Text;
using Fathom.Data;
using Fathom.Pipelines;

namespace Fathom.Tests.Data;

/// <summary>
/// Every reader of YAML from data refuses an alias bomb and runaway nesting with the file and line, before expanding
/// anything: dvc.yaml (its <c>vars</c> included), dvc.lock, <c>.dvc</c> files and params files.
/// </summary>
public sealed class BoundedYamlTests
{
    /// <summary>Ten levels of ten aliases: 10^10 values from under 600 bytes.</summary>
    private static readonly string Bomb = BuildBomb();

    public static TheoryData<string, string> Readers => new()
    {
        { "dvc.yaml vars", $"vars:\n  - bomb:\n{Indent(Bomb, 6)}stages:\n  s:\n    cmd: echo ${{bomb.l9}}\n" },
        { "dvc.yaml stage", $"stages:\n  s:\n    cmd: echo\n    meta:\n{Indent(Bomb, 6)}" },
        { "dvc.lock", $"schema: '2.0'\nstages:\n  s:\n    cmd: echo\n    params:\n      params.yaml:\n{Indent(Bomb, 8)}" },
        { ".dvc", $"outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  path: a\n  meta:\n{Indent(Bomb, 4)}" },
        { "params.yaml", Bomb },
    };

    [Theory]
    [MemberData(nameof(Readers))]
    public void Load_AliasBomb_IsRefusedWithFileAndLineBeforeExpanding(string reader, string text)
    {
        var error = Assert.Throws<DvcFormatException>(() => Read(reader, text));

        Assert.Contains("values once its aliases (*name) are expanded; refused", error.Message, StringComparison.Ordinal);
        Assert.Matches(@"^[^:]+:\d+: ", error.Message);
    }

    [Theory]
    [InlineData("dvc.yaml")]
    [InlineData("dvc.lock")]
    [InlineData(".dvc")]
    [InlineData("params.yaml")]
    public void Load_NestingFarDeeperThanAnyConfig_IsRefusedWithoutOverflowingTheStack(string reader)
    {
        // Flow style, so each level costs two characters: 200,000 levels in 400 KB.
        var deep = new string('[', 200_000) + new string(']', 200_000) + "\n";

        var error = Assert.Throws<DvcFormatException>(() => Read(reader, "a: " + deep));

        Assert.Contains($"nested deeper than {BoundedYaml.MaxDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BlockNestingPastTheLimit_TakesTheFullReaderAndIsRefused()
    {
        var text = new StringBuilder();
        for (var i = 0; i < BoundedYaml.MaxDepth + 2; i++)
        {
            text.Append(' ', i).Append('k').Append(i).Append(":\n");
        }

        text.Append(' ', BoundedYaml.MaxDepth + 2).Append("v: 1\n");

        var error = Assert.Throws<DvcFormatException>(() => ParamsFiles.Parse(text.ToString(), "params.yaml", ".yaml"));

        Assert.Contains("nested deeper than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasOfTheNodeItIsIn_IsRefusedAsACycle()
    {
        var error = Assert.Throws<DvcFormatException>(() => ParamsFiles.Parse("a: &a\n  b: *a\n", "params.yaml", ".yaml"));

        Assert.StartsWith("params.yaml:2: alias *a names no anchor before it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OrdinaryAliases_StillWork()
    {
        var values = ParamsFiles.Parse("base: &base\n  lr: 0.1\n  depth: 3\ntrain: *base\n", "params.yaml", ".yaml");

        Assert.Equal(0.1, ((Dictionary<string, object?>)values["train"]!)["lr"]);
    }

    private static void Read(string reader, string text)
    {
        switch (reader)
        {
            case "dvc.lock":
                LockFileFormat.Parse(text, "dvc.lock");
                break;
            case ".dvc":
                DvcFileFormat.Parse(text, "data.dvc");
                break;
            case "params.yaml":
                ParamsFiles.Parse(text, "params.yaml", ".yaml");
                break;
            default:
                PipelineParser.Parse(text, Path.Combine(Path.GetTempPath(), "no-such-folder", "dvc.yaml"), "dvc.yaml");
                break;
        }
    }

    private static string BuildBomb()
    {
        var text = new StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level < 10; level++)
        {
            text.Append($"l{level}: &l{level} [").AppendJoin(", ", Enumerable.Repeat($"*l{level - 1}", 10)).Append("]\n");
        }

        return text.ToString();
    }

    private static string Indent(string text, int spaces) =>
        string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => new string(' ', spaces) + line + "\n"));
}
