using System.Security.Cryptography;
using System.Text;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// <c>fathom data checkout</c> when the cache lacks some objects, as DVC 3's checkout behaves (dvc/repo/checkout.py):
/// every output it can create fully is created, one it cannot is not created at all (a workspace copy is removed, so it
/// never looks whole), and the failed ones are named in DVC's words with exit code 1 — or 0 with --allow-missing.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataCheckoutTests
{
    private const string Failure = "ERROR: Checkout failed for following targets:\nimages\nIs your cache up to date?\n<https://error.dvc.org/missing-files>\n";

    [Fact]
    public async Task DataCheckout_FolderMissingOneObject_RestoresTheRestNamesTheFolderExitsOne()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        dir.WriteFile("images/a.txt", "a");
        dir.WriteFile("images/b.txt", "b");
        dir.WriteFile("good.txt", "good");
        await Ok(dir.Path, "data", "add", "images", "good.txt");
        File.Delete(CacheObject(dir, "b"));
        Directory.Delete(dir.Combine("images"), recursive: true);
        File.Delete(dir.Combine("good.txt"));

        var checkout = await FathomProcess.RunAsync(dir.Path, "data", "checkout");

        Assert.Equal(ExitCodes.Failure, checkout.ExitCode);
        Assert.Equal("A\tgood.txt\n", checkout.Stdout);
        Assert.EndsWith(Failure, checkout.Stderr, StringComparison.Ordinal);
        Assert.Equal("good", File.ReadAllText(dir.Combine("good.txt")));
        // Not a folder with a file short: no folder at all.
        Assert.False(Directory.Exists(dir.Combine("images")));

        var allowed = await Ok(dir.Path, "data", "checkout", "--allow-missing");
        Assert.Equal("", allowed.Stdout);
        Assert.DoesNotContain("ERROR", allowed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataCheckout_WorkspaceFolderNeedsMissingObject_RemovesTheFolderKeepsUnchangedOutputs()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        dir.WriteFile("images/a.txt", "a");
        dir.WriteFile("images/b.txt", "b");
        dir.WriteFile("good.txt", "good");
        await Ok(dir.Path, "data", "add", "images", "good.txt");
        // good.txt is in the workspace unchanged: it needs nothing from the cache, so losing its object is no failure.
        File.Delete(CacheObject(dir, "good"));
        File.Delete(CacheObject(dir, "b"));
        File.Delete(dir.Combine("images", "b.txt"));

        var checkout = await FathomProcess.RunAsync(dir.Path, "data", "checkout");

        Assert.Equal(ExitCodes.Failure, checkout.ExitCode);
        Assert.Equal("", checkout.Stdout);
        Assert.EndsWith(Failure, checkout.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("images")));
        Assert.Equal("good", File.ReadAllText(dir.Combine("good.txt")));
        Assert.Equal(ExitCodes.Success, (await FathomProcess.RunAsync(dir.Path, "data", "checkout", "good.txt")).ExitCode);

        // Once the object is back, the folder comes back whole, reported as DVC reports it.
        dir.WriteFile("b.txt", "b");
        await Ok(dir.Path, "data", "add", "b.txt");
        var again = await Ok(dir.Path, "data", "checkout", "images");
        Assert.Equal("A\timages/\n", again.Stdout);
        Assert.Equal("b", File.ReadAllText(dir.Combine("images", "b.txt")));
    }

    private static string CacheObject(TempDirectory dir, string content)
    {
#pragma warning disable CA5351 // DVC's object ids are MD5
        var md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(content)));
#pragma warning restore CA5351
        return dir.Combine(".dvc", "cache", "files", "md5", md5[..2], md5[2..]);
    }
}
