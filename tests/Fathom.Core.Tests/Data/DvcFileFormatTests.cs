using Fathom.Data;

namespace Fathom.Tests.Data;

public sealed class DvcFileFormatTests
{
    // The exact text `dvc add` 3.x writes for a file and for a folder (DVC docs, dvc-files.md).
    [Fact]
    public void Format_File_IsDvc3Text()
    {
        var text = DvcFileFormat.Format(new DvcFile([new DvcOutput("data.xml", "a304afb96060aad90176268345e10355", 22, null, false)]));

        Assert.Equal("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 22\n  hash: md5\n  path: data.xml\n", text);
    }

    [Fact]
    public void Format_Folder_HasNfilesBeforeHash()
    {
        var text = DvcFileFormat.Format(new DvcFile([new DvcOutput("images", "b8f4d5a78e55e88906d5f4aeaf43802e.dir", 37150, 4, false)]));

        Assert.Equal("outs:\n- md5: b8f4d5a78e55e88906d5f4aeaf43802e.dir\n  size: 37150\n  nfiles: 4\n  hash: md5\n  path: images\n", text);
    }

    [Fact]
    public void Format_ExecutableFileAndOddName_WritesIsexecAndQuotes()
    {
        // YAML 1.2 (ruamel's default) reads "true" as a boolean, so it is quoted; "yes" is a plain string there.
        var text = DvcFileFormat.Format(new DvcFile([new DvcOutput("true", "a304afb96060aad90176268345e10355", 1, null, true)]));

        Assert.Equal("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 1\n  isexec: true\n  hash: md5\n  path: 'true'\n", text);
    }

    [Fact]
    public void Parse_FormattedFile_RoundTrips()
    {
        var file = new DvcFile([new DvcOutput("it's data", "b8f4d5a78e55e88906d5f4aeaf43802e.dir", 37150, 4, false)]);

        Assert.Equal(file.Outs[0], DvcFileFormat.Parse(DvcFileFormat.Format(file), "x.dvc").Outs[0]);
    }

    [Fact]
    public void Parse_LegacyEntry_HasNoHashName()
    {
        var file = DvcFileFormat.Parse("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 14445097\n  path: data.xml\n", "data.xml.dvc");

        Assert.True(file.Outs[0].IsLegacy);
        Assert.Equal(14445097, file.Outs[0].Size);
    }

    [Theory]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: big\n  hash: md5\n  path: data.xml\n", 3, "outs[0].size")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 1\n  hash: md5\n", 2, "outs[0].path")]
    [InlineData("outs:\n- md5: nothex\n  path: data.xml\n", 2, "outs[0].md5")]
    [InlineData("outs:\n- md5: a304afb96060aad90176268345e10355\n  path: a\n- md5: a304afb96060aad90176268345e10355\n  hash: sha256\n  path: b\n", 5, "outs[1].hash")]
    [InlineData("outs: data.xml\n", 1, "outs")]
    [InlineData("meta: 1\n", 1, "outs")]
    public void Parse_Malformed_NamesFileLineAndField(string text, int line, string field)
    {
        var e = Assert.Throws<DvcFormatException>(() => DvcFileFormat.Parse(text, "data/data.xml.dvc"));

        Assert.Equal("data/data.xml.dvc", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.StartsWith($"data/data.xml.dvc:{line}: {field}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidYaml_NamesLine()
    {
        var e = Assert.Throws<DvcFormatException>(() => DvcFileFormat.Parse("outs:\n- md5: [unclosed\n  path: x\n", "a.dvc"));

        Assert.Equal("a.dvc", e.File);
        Assert.True(e.Line >= 2);
    }

    // What DVC 3.x leaves after `dvc add` plus a user's annotations; DVC rewrites such a file keeping all of it.
    private const string Annotated = """
        # raw drop from the partner bucket
        outs:
        - md5: a304afb96060aad90176268345e10355
          size: 22
          hash: md5
          path: data.xml
          desc: Raw XML dump   # keep me
          type: raw
          labels:
          - xml
          - raw
          meta:
            owner: ana
          remote: partner
          push: false
        meta:
          source: 'https://example.com/data.xml'

        """;

    [Fact]
    public void Format_ParsedFileUnchanged_IsByteIdentical()
    {
        var text = Annotated.ReplaceLineEndings("\n");

        Assert.Equal(text, DvcFileFormat.Format(DvcFileFormat.Parse(text, "data.xml.dvc")));
    }

    [Fact]
    public void Format_ParsedFileWithNewHash_ChangesOnlyHashAndSize()
    {
        var text = Annotated.ReplaceLineEndings("\n");
        var file = DvcFileFormat.Parse(text, "data.xml.dvc");
        var updated = file with { Outs = [file.Outs[0] with { Md5 = "0123456789abcdef0123456789abcdef", Size = 30 }] };

        var expected = text.Replace("md5: a304afb96060aad90176268345e10355\n  size: 22\n", "md5: 0123456789abcdef0123456789abcdef\n  size: 30\n", StringComparison.Ordinal);
        Assert.Equal(expected, DvcFileFormat.Format(updated));
    }

    [Fact]
    public void Format_LegacyEntryRecommitted_AppendsHashAfterPathAsDvcDoes()
    {
        var file = DvcFileFormat.Parse("outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 14445097\n  path: data.xml\n  desc: old\n", "data.xml.dvc");
        var updated = file with { Outs = [file.Outs[0] with { Md5 = "0123456789abcdef0123456789abcdef", Size = 5, HashName = "md5" }] };

        Assert.Equal("outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 5\n  path: data.xml\n  desc: old\n  hash: md5\n", DvcFileFormat.Format(updated));
    }

    [Fact]
    public void Format_FolderBecomesFile_DropsNfiles()
    {
        var file = DvcFileFormat.Parse("outs:\n- md5: b8f4d5a78e55e88906d5f4aeaf43802e.dir\n  size: 37150\n  nfiles: 4\n  hash: md5\n  path: images\n  persist: true\n", "images.dvc");
        var updated = file with { Outs = [file.Outs[0] with { Md5 = "0123456789abcdef0123456789abcdef", Size = 5, FileCount = null }] };

        Assert.Equal("outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 5\n  hash: md5\n  path: images\n  persist: true\n", DvcFileFormat.Format(updated));
    }
}
