using System.Collections.Immutable;
using Fathom.Config;

namespace Fathom.Tests.Config;

/// <summary>
/// Invariants over generated values (a seeded generator, 500 cases each, so a failure reproduces): what Fathom prints
/// parses back to the same value — as override text and as YAML — and overrides apply left to right.
/// </summary>
public sealed class ConfigPropertyTests
{
    private static readonly SourcePosition At = SourcePosition.Generated;
    private static readonly string[] Words = ["a", "b c", "10", "true", "null", "x,y", "[1]", "${a}", "it's", "c:\\d", "", " pad ", "a=b", "{k:v}", "~", "yes", "1e3", "-", "\\", "q\"", "ünï"];

    private static ConfigNode Generate(Random random, int depth)
    {
        var pick = random.Next(depth > 2 ? 6 : 8);
        return pick switch
        {
            0 => ConfigScalar.Null(At),
            1 => ConfigScalar.Of(random.Next(2) == 0, At),
            2 => ConfigScalar.Of((long)random.Next(-1000, 1000) * (random.Next(3) == 0 ? 1_000_000_007L : 1), At),
            3 => ConfigScalar.Of(Math.Round(random.NextDouble() * 100 - 50, random.Next(6)) * Math.Pow(10, random.Next(-8, 8)), At),
            4 or 5 => ConfigScalar.Of(Words[random.Next(Words.Length)] + (random.Next(2) == 0 ? "" : Words[random.Next(Words.Length)]), At),
            6 => new ConfigList([.. Enumerable.Range(0, random.Next(4)).Select(_ => Generate(random, depth + 1))], At),
            _ => Map(random, depth),
        };
    }

    private static ConfigMap Map(Random random, int depth)
    {
        var map = ConfigMap.Empty(At);
        foreach (var i in Enumerable.Range(0, random.Next(4)))
        {
            map = map.With("k" + i + (random.Next(3) == 0 ? "_x" : ""), Generate(random, depth + 1));
        }

        return map;
    }

    [Fact]
    public void OverrideText_GeneratedValue_ParsesBackToTheSameValue()
    {
        var random = new Random(14);
        for (var i = 0; i < 500; i++)
        {
            var value = Generate(random, 0);
            var text = SweepValues.ToOverrideText(value);
            var parsed = OverrideParser.Parse("key=" + text).Element;
            Assert.True(ConfigNode.SameValue(value, parsed), $"{value.Describe()} -> {text} -> {parsed.Describe()}");
        }
    }

    [Fact]
    public void Yaml_GeneratedTree_ReadsBackToTheSameTree()
    {
        var random = new Random(15);
        for (var i = 0; i < 500; i++)
        {
            var tree = ConfigMap.Empty(At).With("root", Generate(random, 0)).With("m", Map(random, 0));
            var yaml = ConfigYamlWriter.Write(tree);
            var read = ConfigYaml.Load(yaml, "gen.yaml").Root;
            Assert.True(ConfigNode.SameValue(tree, read), yaml);
        }
    }

    [Fact]
    public void Overrides_SameKeyTwice_LastWins_AndDistinctKeysCommute()
    {
        var random = new Random(16);
        var root = (ConfigMap)ConfigYaml.Load("a: 1\nb: {c: 2, d: [1, 2]}\ne: x\n", "t.yaml").Root;
        string[] keys = ["a", "b.c", "e", "b.d"];
        for (var i = 0; i < 500; i++)
        {
            var key = keys[random.Next(keys.Length)];
            var first = SweepValues.ToOverrideText(Generate(random, 3));
            var second = SweepValues.ToOverrideText(Generate(random, 3));
            var twice = ConfigOverrides.Apply(ConfigOverrides.Apply(root, OverrideParser.Parse($"{key}={first}")), OverrideParser.Parse($"{key}={second}"));
            var once = ConfigOverrides.Apply(root, OverrideParser.Parse($"{key}={second}"));
            Assert.True(ConfigNode.SameValue(ConfigOverrides.Select(once, key.Split('.')), ConfigOverrides.Select(twice, key.Split('.'))) || ConfigOverrides.Select(root, key.Split('.')) is ConfigMap, $"{key}={first} then {second}");

            var other = keys.First(k => k != key && !k.StartsWith(key, StringComparison.Ordinal) && !key.StartsWith(k, StringComparison.Ordinal));
            var x = OverrideParser.Parse($"{key}={first}");
            var y = OverrideParser.Parse($"{other}={second}");
            Assert.True(ConfigNode.SameValue(ConfigOverrides.Apply(ConfigOverrides.Apply(root, x), y), ConfigOverrides.Apply(ConfigOverrides.Apply(root, y), x)));
        }
    }

    [Fact]
    public void BasicSweep_Product_FirstVariesSlowest()
    {
        var jobs = BasicSweep.Expand(OverrideParser.ParseAll(["a=1,2", "b=range(3)", "c=x"]), _ => null, new Random(1));
        Assert.Equal(
            ["a=1 b=0 c=x", "a=1 b=1 c=x", "a=1 b=2 c=x", "a=2 b=0 c=x", "a=2 b=1 c=x", "a=2 b=2 c=x"],
            jobs.Select(j => string.Join(' ', j.Overrides)));
        Assert.Equal([0, 1, 2, 3, 4, 5], jobs.Select(j => j.Number));
        var e = Assert.Throws<ConfigException>(() => BasicSweep.Expand(OverrideParser.ParseAll(["lr=interval(0,1)"]), _ => null, new Random(1)));
        Assert.Contains("interval", e.Message, StringComparison.Ordinal);
        Assert.Equal(["db=mysql", "db=sqlite"], BasicSweep.Expand(OverrideParser.ParseAll(["db=glob(*,exclude=pg)"]), _ => ImmutableArray.Create("mysql", "pg", "sqlite"), new Random(1)).Select(j => j.Overrides[0]));
    }
}
