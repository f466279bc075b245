using Fathom.Data;

namespace Fathom.Tests.Data;

public sealed class RemoteLayoutTests
{
    [Theory]
    [InlineData("d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("a304feb7ea0c84ef1ad8f4a9a1f14b0e.dir")]
    public void Key_ObjectId_RoundTripsThroughDvcLayout(string id)
    {
        var key = RemoteLayout.Key(id);

        Assert.Equal($"files/md5/{id[..2]}/{id[2..]}", key);
        Assert.Equal(id, RemoteLayout.ObjectId(key));
    }

    [Theory]
    [InlineData("files/md5/d4/.1d8cd98f00b204e9800998ecf8427e.abc.tmp")]
    [InlineData("d4/1d8cd98f00b204e9800998ecf8427e")]
    [InlineData("files/md5/d41/d8cd98f00b204e9800998ecf8427e")]
    public void ObjectId_NotAnObjectKey_IsNull(string key) => Assert.Null(RemoteLayout.ObjectId(key));

    [Theory]
    [InlineData("\"9e107d9d372bb6826bd81d3542a419d6\"", "9e107d9d372bb6826bd81d3542a419d6")]
    [InlineData("\"9E107D9D372BB6826BD81D3542A419D6\"", "9e107d9d372bb6826bd81d3542a419d6")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e-3\"", null)]
    [InlineData(null, null)]
    public void BlobInfoMd5_SinglePartEtagOnly_MultipartProvesNothing(string? etag, string? md5) =>
        Assert.Equal(md5, new BlobInfo("k", 1, DateTimeOffset.UnixEpoch, etag).Md5);
}
