using System.Diagnostics;
using System.Globalization;
using Fathom.Data;

namespace Fathom.Tests.Data;

/// <summary>
/// What a killed <c>pull</c>, <c>checkout</c> or <c>add</c> leaves behind: temporary files of <see cref="AtomicFile"/>'s
/// shape beside the files it was writing. They are never data, and the next command that walks past them removes them.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LeftoverTempFileTests
{
    [Fact]
    public void TempNameFor_AnyFile_HasTheDocumentedRecognisedShape()
    {
        var temp = Path.GetFileName(AtomicFile.TempNameFor(Path.Combine("data", "a.txt")));

        Assert.Matches($@"^\.a\.txt\.{Environment.ProcessId}-[0-9a-f]{{12}}[0-9a-f]+\.fathom\.tmp$", temp);
        Assert.True(AtomicFile.IsTemporary(temp));
        Assert.False(AtomicFile.IsTemporary(".a.txt.tmp"));
        Assert.False(AtomicFile.IsTemporary("notes.fathom.tmp"));
        Assert.False(AtomicFile.IsTemporary(".x.fathom.tmp"));
    }

    [Fact]
    public void TempNameFor_LongName_StaysWithinAFileNameLimit()
    {
        var temp = Path.GetFileName(AtomicFile.TempNameFor(new string('é', 250)));

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(temp) <= 255);
        Assert.True(AtomicFile.IsTemporary(temp));
    }

    [Fact]
    public void Status_FolderHoldingALeftoverOfAKilledWriter_IsUnchangedAndTheLeftoverIsRemoved()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("data/a.txt", "a");
        var workspace = DataWorkspace.Open(dir.Path);
        workspace.Add(["data"], dir.Path, null, default);
        var leftover = dir.WriteFile("data/.b.txt." + DeadProcess() + "-0123456789ab1.fathom.tmp", "half of b");

        Assert.Empty(DataWorkspace.Open(dir.Path).Status([], dir.Path, default));

        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public void Status_LeftoverOfAWriterStillRunning_IsSkippedButKept()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("data/a.txt", "a");
        DataWorkspace.Open(dir.Path).Add(["data"], dir.Path, null, default);
        using var writer = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        var live = dir.WriteFile($"data/.b.txt.{writer.Id}-0123456789ab1.fathom.tmp", "being written");

        try
        {
            Assert.Empty(DataWorkspace.Open(dir.Path).Status([], dir.Path, default));
            Assert.True(File.Exists(live));
        }
        finally
        {
            writer.Kill();
        }
    }

    [Fact]
    public void AddAndCommit_FolderHoldingALeftover_NeverVersionIt()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("data/a.txt", "a");
        var leftover = dir.WriteFile($"data/sub/.c.txt.{DeadProcess()}-0123456789ab1.fathom.tmp", "half");

        var added = DataWorkspace.Open(dir.Path).Add(["data"], dir.Path, null, default).Outputs.Single().Hash;

        Assert.Equal(1, added.FileCount);
        Assert.False(File.Exists(leftover));
        dir.WriteFile($"data/.d.txt.{DeadProcess()}-0123456789ab1.fathom.tmp", "half");
        Assert.False(DataWorkspace.Open(dir.Path).Commit([], dir.Path, null, default).Single().Changed);
    }

    [Fact]
    public void Checkout_AfterAKilledCheckoutLeftTempFiles_CompletesWithoutForce()
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        dir.WriteFile("data/a.txt", "a");
        dir.WriteFile("data/b.txt", "b");
        DataWorkspace.Open(dir.Path).Add(["data"], dir.Path, null, default);
        // As a kill -9 mid-checkout leaves it: one file placed, the next one half-written under its temporary name.
        File.Delete(dir.Combine("data", "b.txt"));
        var leftover = dir.WriteFile($"data/.b.txt.{DeadProcess()}-0123456789ab1.fathom.tmp", "");
        var metafileLeftover = dir.WriteFile($".data.dvc.{DeadProcess()}-0123456789ab2.fathom.tmp", "outs:\n");

        var result = DataWorkspace.Open(dir.Path).Checkout([], dir.Path, force: false, relink: false, null, default);

        Assert.Equal(["data"], result.Modified);
        Assert.Equal("b", File.ReadAllText(dir.Combine("data", "b.txt")));
        Assert.False(File.Exists(leftover));
        Assert.False(File.Exists(metafileLeftover));
    }

    /// <summary>The id of a process that has exited: what a temporary file of a killed command carries.</summary>
    private static string DeadProcess()
    {
        using var process = Process.Start(new ProcessStartInfo("true"))!;
        process.WaitForExit();
        return process.Id.ToString(CultureInfo.InvariantCulture);
    }
}
