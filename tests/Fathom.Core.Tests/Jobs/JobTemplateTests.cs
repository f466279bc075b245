using Fathom.Config;
using Fathom.Jobs;

namespace Fathom.Tests.Jobs;

public sealed class JobTemplateTests
{
    private static readonly Dictionary<string, object?> Context = new(StringComparer.Ordinal)
    {
        ["WORKING_DIR"] = null,
        ["DIRS"] = new List<object?> { "/data/raw/set1", "/data/it's" },
        ["FLAG"] = false,
        ["LR"] = 0.1,
        ["N"] = 3L,
        ["NAME"] = "imdb",
        ["globals"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["run_outputs_path"] = "/plx-context/artifacts/u1/outputs", ["uuid"] = "u1" },
        ["params"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["LR"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["value"] = 0.1, ["as_arg"] = "--LR=0.1" },
        },
    };

    [Theory]
    [InlineData("{{ WORKING_DIR or globals.run_outputs_path }}", "/plx-context/artifacts/u1/outputs")]
    [InlineData("{{ DIRS }}", "['/data/raw/set1', \"/data/it's\"]")]
    [InlineData("{{ FLAG }} {{ not FLAG }}", "False True")]
    [InlineData("{{ WORKING_DIR }}", "None")]
    [InlineData("lr={{ params.LR.value }} {{ params.LR.as_arg }}", "lr=0.1 --LR=0.1")]
    [InlineData("{{ 1 if FLAG else 0 }}", "0")]
    [InlineData("{{ N * 2 + 1 }} {{ N / 2 }} {{ N // 2 }} {{ N % 2 }} {{ -N }}", "7 1.5 1 1 -3")]
    [InlineData("{{ NAME | upper }}-{{ NAME | replace('db', 'DB') }}-{{ DIRS | length }}", "IMDB-imDB-2")]
    [InlineData("{{ DIRS | join(',') }}", "/data/raw/set1,/data/it's")]
    [InlineData("{{ LR | map_format('--lr=%s') }}", "--lr=0.1")]
    [InlineData("{{ N | map_format('%(n)s epochs', 'n') }}", "3 epochs")]
    [InlineData("{{ MISSING | default('x') }} {{ MISSING is defined }} {{ NAME is defined }}", "x False True")]
    [InlineData("{% if N > 2 and 'imdb' in NAME %}big{% elif N > 1 %}mid{% else %}small{% endif %}", "big")]
    [InlineData("{% for d in DIRS %}{{ loop.index }}:{{ d }}{% if not loop.last %};{% endif %}{% endfor %}", "1:/data/raw/set1;2:/data/it's")]
    [InlineData("{%- set x = N ~ 'x' -%}  {{ x }}", "3x")]
    [InlineData("a {{- ' b ' -}} c", "a b c")]
    [InlineData("{{ globals['uuid'] }} {{ DIRS[0] }} {{ DIRS[-1] }}", "u1 /data/raw/set1 /data/it's")]
    [InlineData("{{ [1, 2] + [3] }} {{ {'a': True} }} {{ (1, 'b') }}", "[1, 2, 3] {'a': True} [1, 'b']")]
    [InlineData("{# a comment #}{{ 2.0 }} {{ 1 if false else 10.5 }}", "2.0 10.5")]
    public void Render_JinjaAsPolyaxonUsesIt(string template, string expected) =>
        Assert.Equal(expected, PolyaxonTemplates.Render(template, Context));

    [Theory]
    [InlineData("{{ DOCKER_NAME }}", "'DOCKER_NAME' is undefined")]
    [InlineData("{{ NAMEE }}", "'NAMEE' is undefined; did you mean 'NAME'?")]
    [InlineData("{{ globals.run_output_path }}", "'globals.run_output_path' is undefined; did you mean 'globals.run_outputs_path'?")]
    [InlineData("{{ NAME | uper }}", "no filter named 'uper'; did you mean 'upper'?")]
    [InlineData("{{ NAME ", "template syntax error at column 9: expected '}}'.")]
    [InlineData("{% if N %}x", "{% if %} is never closed with {% endif %}")]
    [InlineData("{{ N / 0 }}", "division by zero.")]
    [InlineData("{% for i in range(1000000) %}{% endfor %}", "longer than 100,000")]
    public void Render_Problem_NamedClearly(string template, string expected)
    {
        var error = Assert.Throws<TemplateException>(() => PolyaxonTemplates.Render(template, Context));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UndefinedSuggestsTheDeclaredInput()
    {
        var context = new Dictionary<string, object?>(StringComparer.Ordinal) { ["DOCKER_IMAGE"] = "img" };
        var error = Assert.Throws<TemplateException>(() => PolyaxonTemplates.Render("{{ DOCKER_NAME }}", context));
        Assert.Equal("'DOCKER_NAME' is undefined; did you mean 'DOCKER_IMAGE'?", error.Message);
    }

    [Fact]
    public void Render_RepeatsUntilStable_AsPolyaxonsParser()
    {
        var context = new Dictionary<string, object?>(StringComparer.Ordinal) { ["A"] = "{{ B }}", ["B"] = "done" };
        Assert.Equal("done", PolyaxonTemplates.Render("{{ A }}", context));
        var loop = new Dictionary<string, object?>(StringComparer.Ordinal) { ["A"] = "{{ A }}x" };
        Assert.StartsWith("{{ A }}xxx", PolyaxonTemplates.Render("{{ A }}", loop), StringComparison.Ordinal);
    }

    [Fact]
    public void RenderNode_ErrorNamesFileLineAndField()
    {
        var run = ConfigYaml.Load("kind: job\ncontainer:\n  image: \"{{ DOCKER_NAME }}\"\n", "process-data.yml").Root;
        var error = Assert.Throws<ConfigException>(() => PolyaxonTemplates.RenderNode(run, new Dictionary<string, object?> { ["DOCKER_IMAGE"] = "x" }, "run"));
        Assert.Equal("process-data.yml:3: run.container.image: 'DOCKER_NAME' is undefined; did you mean 'DOCKER_IMAGE'?", error.Message);
    }

    [Fact]
    public void Patch_PostMergeReplacesScalarsAndMergesMaps()
    {
        var target = ConfigYaml.Load("container:\n  image: a\n  resources: {limits: {cpu: '4', memory: 4Gi}}\n", "c.yml").Root;
        var patch = ConfigYaml.Load("container:\n  image: b\n  resources: {limits: {cpu: '1'}}\n", "op.yml").Root;
        var merged = PolyaxonTemplates.Patch(target, patch, "post_merge");
        Assert.Equal("{container: {image: b, resources: {limits: {cpu: 1, memory: 4Gi}}}}", merged.Describe());
        Assert.Equal("{container: {image: a, resources: {limits: {cpu: 4, memory: 4Gi}}}}", PolyaxonTemplates.Patch(target, patch, "pre_merge").Describe());
    }
}
