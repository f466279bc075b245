using Fathom.Data;

namespace Fathom.Tests.Data;

public sealed class DvcConfigTests
{
    [Fact]
    public void Format_RemoteAndDefault_IsConfigobjText()
    {
        var config = new DvcConfig();
        config.Set(DvcConfig.RemoteSection("storage"), "url", "/mnt/dvc-storage");
        config.Set("core", "remote", "storage");

        Assert.Equal("[core]\n    remote = storage\n['remote \"storage\"']\n    url = /mnt/dvc-storage\n", config.Format());
    }

    [Fact]
    public void Parse_UnknownKeysAndComments_SurviveARoundTrip()
    {
        const string text = "[core]\n    remote = storage\n    autostage = true\n# a comment\n['remote \"storage\"']\n    url = s3://bucket/dvcstore\n    endpointurl = http://localhost:4568\n[cache]\n    type = reflink,copy\n";
        var config = DvcConfig.Parse(text);

        Assert.Equal(text, config.Format());
        config.Set(DvcConfig.RemoteSection("storage"), "region", "eu-west-1");
        var changed = config.Format();

        Assert.Contains("    endpointurl = http://localhost:4568\n    region = eu-west-1\n[cache]", changed, StringComparison.Ordinal);
        Assert.Contains("    autostage = true\n", changed, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DoubleQuotedSectionAndUpperCaseKeys_AreRead()
    {
        var config = DvcConfig.Parse("[remote \"Local\"]\n    URL = \"../store\"\n[core]\n    remote = Local # default\n");

        Assert.Equal(["Local"], config.RemoteNames);
        Assert.Equal("../store", config.Get(DvcConfig.RemoteSection("Local"), "url"));
        Assert.Equal("Local", config.Get("core", "remote"));
    }

    [Fact]
    public void Unset_LastKey_RemovesTheSection()
    {
        var config = DvcConfig.Parse("[core]\n    remote = a\n['remote \"a\"']\n    url = x\n");

        Assert.True(config.Unset("core", "remote"));
        Assert.Equal("['remote \"a\"']\n    url = x\n", config.Format());
    }
}
