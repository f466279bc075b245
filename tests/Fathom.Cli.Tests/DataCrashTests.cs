using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// A data command killed with SIGKILL halfway, and the next one, as a user meets them: the file the killed command was
/// writing (unnamed, or under a temporary name) is no change to keep, so the next <c>data pull</c> completes without
/// <c>-f</c> and leaves no temporary file.
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
    /// Starts <c>data pull</c> and kills it (SIGKILL) as soon as it is caught writing a file of the workspace: an unnamed
    /// file open in data/ (O_TMPFILE, named only once whole), or a temporary name where the file system has no unnamed
    /// files. Tries again with the workspace emptied until one is caught. Returns what the kill left behind.
    /// </summary>
    private static async Task<string> KillPullWhileWritingAsync(TempDirectory dir)
    {
        var data = dir.Combine("data");
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }

            using var pull = FathomProcess.Start(dir.Path, new Dictionary<string, string>(), "data", "pull");
            while (!pull.HasExited)
            {
                var (temp, unnamed) = Writing(pull.Id, data);
                if (temp is not null || unnamed)
                {
                    pull.Kill();
                    await pull.WaitForExitAsync();
                    if (unnamed)
                    {
                        return "an unnamed file, gone with its process";
                    }

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

    /// <summary>A temporary file in <paramref name="data"/>, or whether the process holds an unnamed file open there.</summary>
    private static (string? Temp, bool Unnamed) Writing(int pid, string data)
    {
        if (!Directory.Exists(data))
        {
            return (null, false);
        }

        if (Directory.EnumerateFiles(data, ".*.tmp", SearchOption.AllDirectories).FirstOrDefault() is { } temp)
        {
            return (temp, false);
        }

        try
        {
            // An O_TMPFILE file's descriptor reads as "<folder>/#<inode> (deleted)".
            return (null, Directory.EnumerateFiles($"/proc/{pid}/fd").Any(fd =>
                new FileInfo(fd).LinkTarget is { } target && target.StartsWith(data + "/", StringComparison.Ordinal) && target.EndsWith(" (deleted)", StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process ended meanwhile, or a descriptor closed while being read.
            return (null, false);
        }
    }
}
