using Fathom.Data;
using Fathom.Pipelines;

namespace Fathom.Tests.Pipelines;

public sealed class PipelineGraphTests
{
    private static PipelineGraph Graph(string yaml, TempDirectory dir) =>
        PipelineGraph.Build(PipelineParser.Parse(yaml, dir.Combine("dvc.yaml"), "dvc.yaml"), "dvc.yaml");

    [Fact]
    public void Build_FolderContainment_MakesEdgesAndOrdersUpstreamFirst()
    {
        using var dir = new TempDirectory();
        var graph = Graph("""
            stages:
              report:
                cmd: r
                deps: [data/features/a.csv, model.pkl]
              train:
                cmd: t
                deps: [data/features]
                outs: [model.pkl]
              featurize:
                cmd: f
                deps: [data/raw.csv]
                outs: [data/features]
              unrelated:
                cmd: u
            """, dir);

        Assert.Equal(["featurize", "train", "report", "unrelated"], graph.Stages.Select(s => s.Name));
        Assert.Equal(["featurize", "train"], graph.Upstream("report").Order(StringComparer.Ordinal));
        Assert.Equal(["featurize", "train", "report"], graph.Select(["report"], singleItem: false).Select(s => s.Name));
        Assert.Equal(["report"], graph.Select(["report"], singleItem: true).Select(s => s.Name));
    }

    [Fact]
    public void Build_Cycle_NamesTheStagesInIt()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<DataException>(() => Graph("""
            stages:
              start:
                cmd: s
                outs: [s.txt]
              a:
                cmd: a
                deps: [s.txt, c.txt]
                outs: [a.txt]
              b:
                cmd: b
                deps: [a.txt]
                outs: [b.txt]
              c:
                cmd: c
                deps: [b.txt]
                outs: [c.txt]
            """, dir));

        Assert.Contains("the pipeline has a cycle: 'a' -> 'b' -> 'c' -> 'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TwoStagesWritingOnePath_IsRefused()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<DataException>(() => Graph("stages:\n  a:\n    cmd: a\n    outs: [data]\n  b:\n    cmd: b\n    outs: [data/x.csv]\n", dir));

        Assert.Contains("output 'data/x.csv' of stage 'b' overlaps output 'data' of stage 'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDependencies_NamesTheStageThatNeedsIt()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("present.csv", "x");
        var graph = Graph("stages:\n  a:\n    cmd: a\n    deps: [present.csv, absent.csv]\n    outs: [made.txt]\n  b:\n    cmd: b\n    deps: [made.txt]\n", dir);

        var missing = Assert.Single(graph.MissingDependencies(graph.Stages));
        Assert.Equal(("a", "absent.csv"), (missing.Stage.Name, missing.Dep));
    }

    [Fact]
    public void Select_UnknownTarget_ListsTheStages()
    {
        using var dir = new TempDirectory();
        var graph = Graph("stages:\n  a:\n    cmd: a\n", dir);

        var error = Assert.Throws<DataException>(() => graph.Select(["nope"], false));

        Assert.Equal("No stage 'nope' in the pipeline. Stages: a.", error.Message);
    }
}
