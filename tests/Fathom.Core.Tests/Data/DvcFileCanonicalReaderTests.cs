using System.Globalization;
using Fathom.Data;

namespace Fathom.Tests.Data;

/// <summary>
/// The hand-written reader of canonical <c>.dvc</c> files must read exactly what the YAML reader reads (outputs and the
/// layout used to rewrite the file), and hand everything else to it.
/// </summary>
public sealed class DvcFileCanonicalReaderTests
{
    [Theory]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 22\n  hash: md5\n  path: data.xml\n")]
    [InlineData("outs:\n- md5: b8f4d5a78e55e88906d5f4aeaf43802e.dir\n  size: 37150\n  nfiles: 4\n  hash: md5\n  path: images\n")]
    [InlineData("outs:\n- md5: A304AFB96060AAD90176268345E10355\n  size: 1\n  isexec: True\n  hash: md5\n  path: bin/run.sh\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 14445097\n  path: data.xml\n")]
    [InlineData("wdir: ../data\nouts:\n- md5: a304afb96060aad90176268345e10355\n  size: 3\n  hash: md5\n  path: my data.csv\n  cache: false\n")]
    [InlineData("outs:\n- path: a\n  md5: a304afb96060aad90176268345e10355\n- md5: b8f4d5a78e55e88906d5f4aeaf43802e.dir\n  hash: md5\n  path: b\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  hash: md5\n  path: no-newline-at-end")]
    public void TryParseCanonical_DvcWrittenShapes_ReadsWhatYamlReaderReads(string text)
    {
        var canonical = DvcFileFormat.TryParseCanonical(text);

        Assert.NotNull(canonical);
        AssertSame(DvcFileFormat.ParseYaml(text, "x.dvc"), canonical);
    }

    [Theory]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: 'yes'\n")]
    [InlineData("# tracked by hand\nouts:\n- md5: a304afb96060aad90176268345e10355\n  path: a\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: a # note\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n\n  path: a\n")]
    [InlineData("outs:\r\n- md5: a304afb96060aad90176268345e10355\r\n  path: a\r\n")]
    [InlineData("outs:\n- {md5: a304afb96060aad90176268345e10355, path: a}\n")]
    [InlineData("outs:\n  - md5: a304afb96060aad90176268345e10355\n    path: a\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: a\nmeta:\n  owner: me\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: a\n  remote: r\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: a\n  path: b\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: long\n    continued\n")]
    [InlineData("outs:\n- md5: nothex\n  path: a\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: big\n  path: a\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  hash: sha256\n  path: a\n")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 1\n")]
    [InlineData("outs:\n")]
    [InlineData("")]
    public void TryParseCanonical_AnythingElse_LeavesItToTheYamlReader(string text) =>
        Assert.Null(DvcFileFormat.TryParseCanonical(text));

    // Property: whatever Fathom writes, including names that need quoting, both readers agree on.
    [Fact]
    public void Parse_EveryWrittenFile_AgreesWithYamlReader()
    {
        var random = new Random(20261201);
        const string plainChars = "abcXYZ019._-/";
        const string anyChars = plainChars + " '#:@,~+=!&*";
        var canonicalCount = 0;
        for (var i = 0; i < 500; i++)
        {
            var outs = new List<DvcOutput>();
            for (var j = random.Next(1, 4); j > 0; j--)
            {
                var chars = random.Next(8) == 0 ? anyChars : plainChars;
                var name = new string([.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => chars[random.Next(chars.Length)])]);
                var md5 = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + (random.Next(2) == 0 ? ".dir" : "");
                outs.Add(new DvcOutput(name, md5, random.Next(0, 3) == 0 ? null : random.NextInt64(0, long.MaxValue), md5.EndsWith(".dir", StringComparison.Ordinal) ? random.Next() : null, random.Next(4) == 0, random.Next(5) == 0 ? null : "md5", random.Next(6) != 0));
            }

            var wdir = random.Next(4) == 0 ? "sub" + random.Next(10).ToString(CultureInfo.InvariantCulture) : null;
            var text = DvcFileFormat.Format(new DvcFile(outs, wdir));
            var parsed = DvcFileFormat.Parse(text, "x.dvc");

            AssertSame(DvcFileFormat.ParseYaml(text, "x.dvc"), parsed);
            Assert.Equal(text, DvcFileFormat.Format(parsed));
            canonicalCount += DvcFileFormat.TryParseCanonical(text) is null ? 0 : 1;
        }

        // The generator makes both kinds: names the fast reader takes and names it leaves to YamlDotNet.
        Assert.InRange(canonicalCount, 50, 450);
    }

    private static void AssertSame(DvcFile expected, DvcFile actual)
    {
        Assert.Equal(expected.Outs, actual.Outs);
        Assert.Equal(expected.WorkingDirectory, actual.WorkingDirectory);
        Assert.NotNull(expected.Layout);
        Assert.NotNull(actual.Layout);
        Assert.Equal(expected.Layout.Header, actual.Layout.Header);
        Assert.Equal(expected.Layout.Fields, actual.Layout.Fields);
        Assert.Equal(expected.Layout.Outs.Count, actual.Layout.Outs.Count);
        for (var i = 0; i < expected.Layout.Outs.Count; i++)
        {
            Assert.Equal(expected.Layout.Outs[i], actual.Layout.Outs[i]);
        }

        Assert.Equal(expected.Layout.EntryPrefix, actual.Layout.EntryPrefix);
        Assert.Equal(expected.Layout.FieldIndent, actual.Layout.FieldIndent);
    }
}
