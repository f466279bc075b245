using System.Security.Cryptography;
using System.Text;
using Fathom.Data;

namespace Fathom.Tests;

public sealed class DvcHashTests
{
    // Test vectors from DVC's own documentation of the .dir object format.
    [Fact]
    public void DirectoryManifest_DvcExample_HashesToDvcsValue()
    {
        var manifest = DvcHash.DirectoryManifest([("cat.jpeg", "de7371b0119f4f75f9de703c7c3bac16"), ("index.jpeg", "402e97968614f583ece3b35555971f64")]);

        Assert.Equal("""[{"md5": "de7371b0119f4f75f9de703c7c3bac16", "relpath": "cat.jpeg"}, {"md5": "402e97968614f583ece3b35555971f64", "relpath": "index.jpeg"}]""", manifest);
        Assert.Equal("6fdb5336fce0dbfd669f83065f107551", Md5(manifest));
    }

    [Fact]
    public async Task HashPath_EmptyFolder_IsDvcsEmptyDirHash()
    {
        using var dir = new TempDirectory();
        var hash = await DvcHash.HashPathAsync(dir.Path, default);
        Assert.Equal("d751713988987e9331980363e24189ce.dir", hash.Md5);
        Assert.Equal(0, hash.FileCount);
    }

    [Fact]
    public async Task HashPath_NestedFolder_SortsByRelpathAndEscapesNonAscii()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("b.txt", "b");
        dir.WriteFile("a/z.txt", "z");
        dir.WriteFile("é.txt", "e");

        var hash = await DvcHash.HashPathAsync(dir.Path, default);

        var expected = $"[{{\"md5\": \"{Md5("z")}\", \"relpath\": \"a/z.txt\"}}, {{\"md5\": \"{Md5("b")}\", \"relpath\": \"b.txt\"}}, {{\"md5\": \"{Md5("e")}\", \"relpath\": \"\\u00e9.txt\"}}]";
        Assert.Equal(Md5(expected) + ".dir", hash.Md5);
        Assert.Equal(3, hash.FileCount);
        Assert.Equal(3, hash.Size);
    }

    [Fact]
    public async Task HashPath_File_IsPlainMd5()
    {
        using var dir = new TempDirectory();
        var file = dir.WriteFile("x.bin", "hello\r\nworld");
        Assert.Equal(Md5("hello\r\nworld"), (await DvcHash.HashPathAsync(file, default)).Md5);
    }

#pragma warning disable CA5351 // DVC's hash is MD5
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
