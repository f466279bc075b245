using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// A data command killed with SIGKILL halfway, and the next one, as a user meets them: the temporary file the killed
/// command was writing is no change to keep, so the next <c>data pull</c> completes without <c>-f</c> and removes it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataCrashTests
{
    [Fact]
    public async Task DataPull_AfterAPullKilledWhileWritingAFile_CompletesWithoutForceAndLeavesNoTempFile()
    {
        using var dir = new TempDirectory();
        await Ok(dir.Path, "data", "init");
        Directory.CreateDirectory(dir.Combine("data"));
        // Big enough that copying it into the workspace takes a while to catch; small files beside it.
        await using (var big = File.Create(dir.Combine("data", "big.bin")))
        {
            big.SetLength(256L << 20);
        }

        for (var i = 0; i < 20; i++)
        {
            dir.WriteFile($"data/small/{i}.txt", $"file {i}");
        }

        await Ok(dir.Path, "data", "add", "data");
        await Ok(dir.Path, "data", "remote", "add", "-d", "store", dir.Combine("store"));
        await Ok(dir.Path, "data", "push");
        Directory.Delete(dir.Combine(".dvc", "cache"), recursive: true);

        var leftover = await KillPullWhileWritingAsync(dir);

        var pull = await FathomProcess.RunAsync(dir.Path, "data", "pull");
        Assert.True(pull.ExitCode == 0, $"a pull after one killed halfway failed (left {leftover}): {pull}");
        Assert.Empty(Directory.EnumerateFiles(dir.Combine("data"), "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(256L << 20, new FileInfo(dir.Combine("data", "big.bin")).Length);
        Assert.Equal("", (await Ok(dir.Path, "data", "status", "--json")).Stdout.Trim().Trim('{', '}').Trim());
    }

    /// <summary>
    /// Starts <c>data pull</c> and kills it (SIGKILL) as soon as a temporary file shows in the workspace; tries again with
    /// the workspace emptied until one is caught. Returns the temporary file it left.
    /// </summary>
    private static async Task<string> KillPullWhileWritingAsync(TempDirectory dir)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (Directory.Exists(dir.Combine("data")))
            {
                Directory.Delete(dir.Combine("data"), recursive: true);
            }

            using var pull = FathomProcess.Start(dir.Path, new Dictionary<string, string>(), "data", "pull");
            while (!pull.HasExited)
            {
                var temp = Directory.Exists(dir.Combine("data"))
                    ? Directory.EnumerateFiles(dir.Combine("data"), ".*.tmp", SearchOption.AllDirectories).FirstOrDefault()
                    : null;
                if (temp is not null)
                {
                    pull.Kill();
                    await pull.WaitForExitAsync();
                    if (File.Exists(temp))
                    {
                        return Path.GetFileName(temp);
                    }

                    break;
                }

                await Task.Delay(2);
            }
        }

        Assert.Fail("data pull was never caught writing a file");
        return "";
    }
}
