using System.Text;
using static Fathom.Cli.Tests.CliSteps;

namespace Fathom.Cli.Tests;

/// <summary>
/// A user clones a repository someone else wrote, or pulls from their remote or bucket, and runs the data commands: no
/// path in those files may make a command write, overwrite or delete anything outside the repository, or in
/// <c>.git</c> or <c>.dvc</c>; each is refused with the file, line and field, exit code 2, and nothing changed.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HostileRepositoryTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private const string Hook = "#!/bin/sh\ntouch owned-by-the-hook\n";

    // Error lines are long (full paths); one line each, so they are matched whole.
    private static readonly Dictionary<string, string> Wide = new() { ["COLUMNS"] = "10000" };

    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Hostile => HostilePaths.All();

    private string Root => _dir.Combine("repo");

    private string Outside => _dir.Combine("outside");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task DataCheckout_DvcFileWritingAGitHook_IsRefusedAndGitRunsNoHook()
    {
        await InitAsync(git: true);
        Write("hooks.dvc", $"outs:\n- md5: {Cached(Hook)}\n  size: {Hook.Length}\n  isexec: true\n  hash: md5\n  path: .git/hooks/post-checkout\n");
        CommitAll(Root, "a repository that looks ordinary");

        var checkout = await FathomProcess.RunAsync(Root, Wide, TimeSpan.FromMinutes(1), "data", "checkout");

        Assert.Equal(ExitCodes.InvalidInput, checkout.ExitCode);
        Assert.Contains("hooks.dvc:6: outs[0].path: '.git/hooks/post-checkout' is inside .git, which DVC never tracks.", checkout.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Root, ".git", "hooks", "post-checkout")));
        Git(Root, "checkout", "-q", "-b", "other");
        Assert.False(File.Exists(Path.Combine(Root, "owned-by-the-hook")));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task DataCheckoutForce_DvcFileOutAtEachHostilePath_ExitsInvalidInputAndTouchesNothingOutside(string hostile)
    {
        await InitAsync();
        var path = HostilePaths.For(hostile, Outside);
        Write("data.dvc", $"outs:\n- md5: {Cached(Hook)}\n  size: {Hook.Length}\n  isexec: true\n  hash: md5\n  path: {Quote(path)}\n");

        var checkout = await FathomProcess.RunAsync(Root, Wide, TimeSpan.FromMinutes(1), "data", "checkout", "-f");

        Assert.Equal(ExitCodes.InvalidInput, checkout.ExitCode);
        Assert.Contains("data.dvc:6: outs[0].path: ", checkout.Stderr, StringComparison.Ordinal);
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task Repro_StageOutOutsideTheRepository_IsRefusedBeforeRunningOrCachingIt()
    {
        await InitAsync();
        Write("dvc.yaml", $"stages:\n  steal:\n    cmd: echo stolen > {Quote(Path.Combine(Outside, "keep.txt"))}\n    deps:\n    - dvc.yaml\n    outs:\n    - {Quote(Path.Combine(Outside, "keep.txt"))}\n");

        var repro = await FathomProcess.RunAsync(Root, Wide, TimeSpan.FromMinutes(1), "repro", "--no-track");

        Assert.Equal(ExitCodes.InvalidInput, repro.ExitCode);
        Assert.Contains("dvc.yaml:7: stages.steal.outs[0]: ", repro.Stderr, StringComparison.Ordinal);
        Assert.Contains("is outside the repository.", repro.Stderr, StringComparison.Ordinal);
        AssertOutsideUntouched();
        Assert.False(Directory.Exists(Path.Combine(Root, ".dvc", "cache")));
    }

    [Fact]
    public async Task DataPull_RemoteManifestWithAnEntryLeavingItsFolder_IsRefusedAndWritesNothing()
    {
        await InitAsync();
        var json = $"[{{\"md5\": \"{Md5(Hook)}\", \"relpath\": \"../../outside/keep.txt\"}}]";
        var dirMd5 = Md5(json) + ".dir";
        var store = _dir.Combine("store");
        WriteAt(Path.Combine(store, "files", "md5", dirMd5[..2], dirMd5[2..]), json);
        WriteAt(Path.Combine(store, "files", "md5", Md5(Hook)[..2], Md5(Hook)[2..]), Hook);
        await Ok(Root, "data", "remote", "add", "-d", "theirs", store);
        Write("data.dvc", $"outs:\n- md5: {dirMd5}\n  size: {Hook.Length}\n  nfiles: 1\n  hash: md5\n  path: data\n");

        var pull = await FathomProcess.RunAsync(Root, Wide, TimeSpan.FromMinutes(1), "data", "pull", "-f");

        Assert.Equal(ExitCodes.InvalidInput, pull.ExitCode);
        Assert.Contains("[0].relpath: '../../outside/keep.txt' leaves its folder ('..'); the folder manifest is refused.", pull.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Root, "data")));
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task Status_AliasBombInDvcYamlVars_IsRefusedWithTheLineInsteadOfExhaustingMemory()
    {
        await InitAsync();
        var bomb = new StringBuilder("vars:\n  - bomb:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level < 10; level++)
        {
            bomb.Append($"      l{level}: &l{level} [").AppendJoin(", ", Enumerable.Repeat($"*l{level - 1}", 10)).Append("]\n");
        }

        Write("dvc.yaml", bomb + "stages:\n  s:\n    cmd: echo ${bomb.l9}\n");

        var status = await FathomProcess.RunAsync(Root, Wide, TimeSpan.FromMinutes(1), "status");

        Assert.Equal(ExitCodes.InvalidInput, status.ExitCode);
        Assert.Contains("dvc.yaml:8: more than 1,000,000 values once its aliases (*name) are expanded; refused", status.Stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task DataSync_BucketListingKeysThatLeaveTheDestination_IsRefusedBeforeCopyingAnything()
    {
        Skip.If(s3.Unavailable is not null, s3.Unavailable);
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = s3.Endpoint,
            ["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretKey,
            ["MLFLOW_S3_ENDPOINT_URL"] = "",
            ["AWS_ENDPOINT_URL_S3"] = "",
            ["COLUMNS"] = "10000",
        };
        var prefix = $"hostile-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Outside);
        // A bucket holds whatever keys its writer chose: "..", "\\" and ".git/" among them.
        using (var client = new Storage.S3Settings(s3.Endpoint, "us-east-1", S3rverFixture.AccessKey, S3rverFixture.SecretKey, null).CreateClient())
        {
            foreach (var key in new[] { "a.csv", "..\\escape.txt", "../../escape.txt", ".git/hooks/post-checkout" })
            {
                await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = S3rverFixture.Bucket, Key = $"{prefix}/{key}", ContentBody = Hook });
            }
        }

        var sync = await FathomProcess.RunAsync(_dir.Path, environment, TimeSpan.FromMinutes(2), "data", "sync", $"s3://{S3rverFixture.Bucket}/{prefix}", "mirror");

        Assert.Equal(ExitCodes.InvalidInput, sync.ExitCode);
        Assert.Contains("nothing was synced", sync.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(_dir.Combine("mirror")) ? Directory.GetFiles(_dir.Combine("mirror"), "*", SearchOption.AllDirectories) : []);
        Assert.False(File.Exists(_dir.Combine("escape.txt")));
    }

    private static string Md5(string text) => CliSteps.Md5(text);

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal) + "\"";

    private async Task InitAsync(bool git = false)
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(Outside, "deeper"));
        File.WriteAllText(Path.Combine(Outside, "keep.txt"), "keep");
        if (git)
        {
            Git(Root, "init", "-q");
        }

        await Ok(Root, "data", "init");
        HostilePaths.PlantLinks(Root, Outside);
    }

    /// <summary>Puts <paramref name="content"/> in the repository's cache as DVC would, and returns its md5.</summary>
    private string Cached(string content)
    {
        var md5 = Md5(content);
        WriteAt(Path.Combine(Root, ".dvc", "cache", "files", "md5", md5[..2], md5[2..]), content);
        return md5;
    }

    private void Write(string relative, string text) => WriteAt(Path.Combine(Root, relative), text);

    private static void WriteAt(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private void AssertOutsideUntouched()
    {
        Assert.Equal(["keep.txt"], HostilePaths.FilesIn(Outside).Select(Path.GetFileName));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(Outside, "keep.txt")));
        Assert.False(File.Exists(_dir.Combine("escape.txt")));
        Assert.False(Directory.Exists(Path.Combine(Root, ".git", "hooks")) && File.Exists(Path.Combine(Root, ".git", "hooks", "post-checkout")));
    }
}
