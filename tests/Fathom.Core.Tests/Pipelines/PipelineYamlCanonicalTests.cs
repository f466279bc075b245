using System.Globalization;
using System.Text;
using Fathom.Data;
using Fathom.Pipelines;
using YamlDotNet.RepresentationModel;

namespace Fathom.Tests.Pipelines;

/// <summary>
/// The hand-written reader of block YAML (dvc.yaml, dvc.lock, params.yaml) must build exactly the nodes YamlDotNet
/// builds — values, scalar styles, order and lines — and hand everything else to YamlDotNet.
/// </summary>
public sealed class PipelineYamlCanonicalTests
{
    [Theory]
    [InlineData("stages:\n  train:\n    cmd: python train.py > out.txt | tee log\n    deps:\n    - data\n    outs:\n    - model.bin:\n        cache: false\n")]
    [InlineData("schema: '2.0'\nstages:\n  a:\n    cmd: echo 'it''s'\n    deps:\n    - path: x\n      hash: md5\n      md5: 22a1a2931c8370d3aeedd7183606fd7f\n      size: 3\n    params:\n      params.yaml:\n        a.b: 0.2\n        c: []\n        d: {}\n")]
    [InlineData("# params\ntrain:\n  lr: 0.01\n\n  layers:\n    - 64\n    - -1\n  name: ~\n  flag:\n")]
    [InlineData("- a\n- b: 1\n  c: 2\n- c")]
    public void TryLoadCanonical_CommonShapes_BuildsWhatYamlDotNetBuilds(string text)
    {
        var canonical = PipelineYaml.TryLoadCanonical(text);

        Assert.NotNull(canonical);
        AssertSameNode(PipelineYaml.LoadFull(text, "x.yaml")!, canonical);
    }

    [Theory]
    [InlineData("a: [1, 2]\n")]
    [InlineData("a: {b: 1}\n")]
    [InlineData("a: \"quoted\"\n")]
    [InlineData("a: |\n  block\n")]
    [InlineData("a: &x 1\nb: *x\n")]
    [InlineData("a: !!str 1\n")]
    [InlineData("a: 1 # trailing comment\n")]
    [InlineData("a: folded\n  continued\n")]
    [InlineData("a: 1\na: 2\n")]
    [InlineData("a:\r\n  b: 1\r\n")]
    [InlineData("---\na: 1\n")]
    [InlineData("a:\n\tb: 1\n")]
    [InlineData("- - a\n")]
    [InlineData("'quoted key': 1\n")]
    [InlineData("a: 'unclosed\n")]
    [InlineData("a: 'lone ' quote'\n")]
    [InlineData("  indented: root\n")]
    [InlineData("a: b: c\n")]
    [InlineData("")]
    public void TryLoadCanonical_AnythingElse_LeavesItToYamlDotNet(string text) =>
        Assert.Null(PipelineYaml.TryLoadCanonical(text));

    [Fact]
    public void Load_WrittenLockFile_TakesTheCanonicalPath()
    {
        var lockFile = new LockFile();
        lockFile.Set("prepare", new LockEntry(
            ["python prepare.py data.xml"],
            false,
            [new LockedFile("data.xml", "22a1a2931c8370d3aeedd7183606fd7f", 14445097, null)],
            [new("params.yaml", [new("prepare.seed", 20170428L), new("prepare.name", "yes")])],
            [new LockedFile("prepared", "153aad06d376b6595932470e459ef42a.dir", 8437363, 2)]));
        var text = LockFileFormat.Format(lockFile);

        Assert.NotNull(PipelineYaml.TryLoadCanonical(text));
        Assert.Equal(text, LockFileFormat.Format(LockFileFormat.Parse(text, "dvc.lock")));
    }

    [Fact]
    public void Parse_FieldErrorInCanonicalText_StillNamesItsLine()
    {
        const string text = "stages:\n  a:\n    cmd: echo a\n  b:\n    cmd: echo b\n    outz:\n    - x\n";
        Assert.NotNull(PipelineYaml.TryLoadCanonical(text));

        var error = Assert.Throws<DvcFormatException>(() => PipelineParser.Parse(text, Path.Combine(Path.GetTempPath(), "dvc.yaml"), "dvc.yaml"));

        Assert.Contains("dvc.yaml:6", error.Message, StringComparison.Ordinal);
    }

    // Property: on random block documents (about half in the subset), the canonical reader either declines or builds
    // the very nodes YamlDotNet builds, lines included; it never accepts what YamlDotNet rejects.
    [Fact]
    public void TryLoadCanonical_RandomDocuments_AgreesWithYamlDotNet()
    {
        var random = new Random(20261201);
        var accepted = 0;
        for (var i = 0; i < 2000; i++)
        {
            var text = new DocumentGenerator(random).Document();
            var canonical = PipelineYaml.TryLoadCanonical(text);
            YamlNode? full;
            try
            {
                full = PipelineYaml.LoadFull(text, "x.yaml");
            }
            catch (DvcFormatException)
            {
                Assert.True(canonical is null, $"accepted what YamlDotNet rejects:\n{text}");
                continue;
            }

            if (canonical is null)
            {
                continue;
            }

            accepted++;
            Assert.NotNull(full);
            AssertSameNode(full, canonical, text);
        }

        // The generator makes both kinds: documents the fast reader takes and ones it leaves to YamlDotNet.
        Assert.InRange(accepted, 300, 1700);
    }

    private static void AssertSameNode(YamlNode expected, YamlNode actual, string? text = null)
    {
        var context = text is null ? "" : $"\n{text}";
        Assert.True(expected.GetType() == actual.GetType(), $"{expected.GetType().Name} vs {actual.GetType().Name} at line {PipelineYaml.Line(expected)}{context}");
        Assert.True(PipelineYaml.Line(expected) == PipelineYaml.Line(actual), $"line {PipelineYaml.Line(expected)} vs {PipelineYaml.Line(actual)}{context}");
        switch (expected)
        {
            case YamlScalarNode scalar:
                var other = (YamlScalarNode)actual;
                Assert.True(scalar.Value == other.Value, $"'{scalar.Value}' vs '{other.Value}'{context}");
                Assert.True(scalar.Style == other.Style, $"{scalar.Style} vs {other.Style} for '{scalar.Value}'{context}");
                break;
            case YamlSequenceNode sequence:
                var items = ((YamlSequenceNode)actual).Children;
                Assert.True(sequence.Children.Count == items.Count, $"sequence of {sequence.Children.Count} vs {items.Count}{context}");
                for (var i = 0; i < items.Count; i++)
                {
                    AssertSameNode(sequence.Children[i], items[i], text);
                }

                break;
            case YamlMappingNode mapping:
                var pairs = ((YamlMappingNode)actual).Children.ToList();
                var expectedPairs = mapping.Children.ToList();
                Assert.True(expectedPairs.Count == pairs.Count, $"mapping of {expectedPairs.Count} vs {pairs.Count}{context}");
                for (var i = 0; i < pairs.Count; i++)
                {
                    AssertSameNode(expectedPairs[i].Key, pairs[i].Key, text);
                    AssertSameNode(expectedPairs[i].Value, pairs[i].Value, text);
                }

                break;
        }
    }

    /// <summary>Random block YAML: mostly well-formed, with now and then a construct outside the canonical subset.</summary>
    private sealed class DocumentGenerator(Random random)
    {
        private const string KeyChars = "abcxyz019._-@$";
        private const string ValueChars = "abcXYZ0129._-/ ${}>|'\":#,[]&*!%~?";
        private static readonly string[] Specials = ["true", "null", "~", "1.5e3", "-7", "0x1F", "''", "'a''b'", "'a: b'", "[]", "{}", "- x", "-x", "a #b", "a: b", "\"q\"", "'x", ":a", "?b", "|", "x:"];
        private readonly StringBuilder _text = new();

        public string Document()
        {
            if (random.Next(20) == 0)
            {
                _text.Append("# a comment\n");
            }

            if (random.Next(6) == 0)
            {
                Sequence(0, 3);
            }
            else
            {
                Mapping(0, 3);
            }

            return _text.ToString();
        }

        private void Mapping(int indent, int depth)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                var key = Word(KeyChars, 1, 6);
                if (!keys.Add(key) && random.Next(4) != 0)
                {
                    continue;
                }

                Pad(indent).Append(key).Append(':');
                Value(indent, depth);
            }
        }

        private void Sequence(int indent, int depth)
        {
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                Pad(indent).Append('-');
                if (depth > 0 && random.Next(3) == 0)
                {
                    // A mapping that starts on the dash line.
                    var key = Word(KeyChars, 1, 6);
                    _text.Append(' ').Append(key).Append(':');
                    Value(indent + 2, depth - 1);
                    if (random.Next(2) == 0)
                    {
                        Pad(indent + 2).Append(key + "2").Append(':');
                        Value(indent + 2, depth - 1);
                    }
                }
                else
                {
                    _text.Append(' ').Append(Scalar()).Append('\n');
                }
            }
        }

        /// <summary>What follows "key:": a scalar, nothing, or a nested block (sequences at the key's column or indented).</summary>
        private void Value(int indent, int depth)
        {
            var choice = depth == 0 ? random.Next(2) : random.Next(5);
            switch (choice)
            {
                case 0:
                    _text.Append(' ').Append(Scalar()).Append('\n');
                    if (random.Next(30) == 0)
                    {
                        Pad(indent + 2).Append(Word(ValueChars, 1, 5)).Append('\n');
                    }

                    break;
                case 1:
                    _text.Append('\n');
                    break;
                case 2:
                    _text.Append('\n');
                    Mapping(indent + 2, depth - 1);
                    break;
                case 3:
                    _text.Append('\n');
                    Sequence(indent, depth - 1);
                    break;
                default:
                    _text.Append('\n');
                    if (random.Next(10) == 0)
                    {
                        _text.Append('\n');
                    }

                    Sequence(indent + 2, depth - 1);
                    break;
            }
        }

        private string Scalar() => random.Next(10) switch
        {
            0 => Specials[random.Next(Specials.Length)],
            1 => "'" + Word(ValueChars, 0, 8).Replace("'", "''", StringComparison.Ordinal) + "'",
            2 => Word(ValueChars, 1, 10),
            3 => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture),
            _ => Word("abcXYZ0129._-/ ", 1, 12).Trim() is { Length: > 0 } word ? word : "w",
        };

        private string Word(string chars, int min, int max) =>
            new([.. Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => chars[random.Next(chars.Length)])]);

        private StringBuilder Pad(int indent) => _text.Append(' ', indent);
    }
}
