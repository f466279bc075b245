using System.Text;
using System.Text.Json;
using Fathom.Data;
using Fathom.Testing;

namespace Fathom.Tests.Data;

/// <summary>
/// Every hostile path of <see cref="HostilePaths"/> thrown at every place a data command takes a path from data: the outs
/// of a <c>.dvc</c> file, of a <c>dvc.yaml</c> stage and of a <c>dvc.lock</c> entry, the entries of a folder manifest from
/// the cache and from a remote, and the keys a bucket lists to <c>data sync</c>. Each is refused before anything is
/// written, and nothing appears outside the repository, in <c>.git</c> or in <c>.dvc</c>.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PathEscapeTests : IDisposable
{
    private const string Payload = "#!/bin/sh\necho owned\n";

    private readonly TempDirectory _dir = new();
    private readonly string _root;
    private readonly string _outside;
    private readonly string _md5 = Md5(Payload);

    public PathEscapeTests()
    {
        _root = _dir.Combine("repo");
        _outside = _dir.Combine("outside");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "keep.txt"), "keep");
        DvcRepository.Init(_root, force: false);
        DataWorkspace.Open(_root).Repository.Cache.SaveBytes(_md5, Encoding.UTF8.GetBytes(Payload));
    }

    public static TheoryData<string> Hostile => HostilePaths.All();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Checkout_DvcFileOutAtHostilePath_IsRefusedWithFileLineAndFieldAndWritesNothing(string hostile)
    {
        var path = HostilePaths.For(hostile, _outside);
        Write("data.dvc", $"outs:\n- md5: {_md5}\n  size: {Payload.Length}\n  isexec: true\n  hash: md5\n  path: {YamlScalar.Quote(path)}\n");
        var before = Plant();

        var checkout = Assert.Throws<DvcFormatException>(() => DataWorkspace.Open(_root).Checkout([], _root, force: true, relink: false, null, default));
        var status = Assert.Throws<DvcFormatException>(() => DataWorkspace.Open(_root).Status([], _root, default));

        Assert.StartsWith(path.Length == 0 ? "data.dvc:6: outs[0].path: must not be empty" : "data.dvc:6: outs[0].path: '", checkout.Message, StringComparison.Ordinal);
        Assert.Equal(checkout.Message, status.Message);
        AssertNothingWritten(before);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Checkout_DvcYamlOutAtHostilePath_IsRefusedWithFileLineAndFieldAndWritesNothing(string hostile)
    {
        var path = HostilePaths.For(hostile, _outside);
        Write("dvc.yaml", $"stages:\n  train:\n    cmd: echo\n    outs:\n    - {YamlScalar.Quote(path)}\n");
        Write("dvc.lock", $"schema: '2.0'\nstages:\n  train:\n    cmd: echo\n    outs:\n    - path: {YamlScalar.Quote(path)}\n      hash: md5\n      md5: {_md5}\n      size: {Payload.Length}\n");
        var before = Plant();

        var error = Assert.Throws<DvcFormatException>(() => DataWorkspace.Open(_root).Checkout([], _root, force: true, relink: false, null, default));

        Assert.StartsWith(path.Length == 0 ? "dvc.yaml:5: stage 'train': 'outs' items must be paths" : "dvc.yaml:5: stages.train.outs[0]: '", error.Message, StringComparison.Ordinal);
        AssertNothingWritten(before);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Checkout_DvcLockOutAtHostilePath_IsRefusedWithFileLineAndFieldAndWritesNothing(string hostile)
    {
        var path = HostilePaths.For(hostile, _outside);
        Write("dvc.yaml", "stages:\n  train:\n    cmd: echo\n    outs:\n    - model.bin\n");
        Write("dvc.lock", $"schema: '2.0'\nstages:\n  train:\n    cmd: echo\n    outs:\n    - path: {YamlScalar.Quote(path)}\n      hash: md5\n      md5: {_md5}\n      size: {Payload.Length}\n");
        var before = Plant();

        var error = Assert.ThrowsAny<FormatException>(() => DataWorkspace.Open(_root).Checkout([], _root, force: true, relink: false, null, default));

        Assert.StartsWith("dvc.lock:6: stages.train.outs[0].path: ", error.Message, StringComparison.Ordinal);
        AssertNothingWritten(before);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Checkout_ManifestEntryFromTheCacheAtHostilePath_IsRefusedAndWritesNothing(string hostile)
    {
        var dirMd5 = Manifest(HostilePaths.For(hostile, _outside), DataWorkspace.Open(_root).Repository.Cache);
        Write("data.dvc", $"outs:\n- md5: {dirMd5}\n  size: {Payload.Length}\n  nfiles: 1\n  hash: md5\n  path: data\n");
        var before = Plant(inside: "data");

        var error = Assert.ThrowsAny<Exception>(() => DataWorkspace.Open(_root).Checkout([], _root, force: true, relink: false, null, default));

        Assert.True(error is DvcFormatException or DataException, error.ToString());
        AssertNothingWritten(before);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Pull_ManifestEntryFromARemoteAtHostilePath_IsRefusedAndWritesNothing(string hostile)
    {
        var remote = new LocalBlobStore(_dir.Combine("remote"));
        var json = ManifestJson(HostilePaths.For(hostile, _outside));
        var dirMd5 = Md5(json) + ".dir";
        Directory.CreateDirectory(Path.GetDirectoryName(remote.PathOf(RemoteLayout.Key(dirMd5)))!);
        File.WriteAllText(remote.PathOf(RemoteLayout.Key(dirMd5)), json);
        Directory.CreateDirectory(Path.GetDirectoryName(remote.PathOf(RemoteLayout.Key(_md5)))!);
        File.WriteAllText(remote.PathOf(RemoteLayout.Key(_md5)), Payload);
        Write(".dvc/config", $"[core]\n    remote = r\n['remote \"r\"']\n    url = {remote.Root}\n");
        Directory.Delete(Path.Combine(_root, ".dvc", "cache"), recursive: true);
        Write("data.dvc", $"outs:\n- md5: {dirMd5}\n  size: {Payload.Length}\n  nfiles: 1\n  hash: md5\n  path: data\n");
        var before = Plant(inside: "data");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => DataWorkspace.Open(_root).PullAsync([], _root, null, force: true, null, default));

        Assert.True(error is DvcFormatException or DataException, error.ToString());
        AssertNothingWritten(before);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Sync_KeyListedAtHostilePath_IsRefusedBeforeAnythingIsCopied(string hostile)
    {
        var destination = _dir.Combine("destination");
        Directory.CreateDirectory(destination);
        HostilePaths.PlantLinks(destination, _outside);
        var source = new ListedBlobs(("good.txt", "good"), (HostilePaths.For(hostile, _outside), Payload));

        var error = await Assert.ThrowsAsync<DataException>(() => BlobSync.SyncAsync(source, new LocalBlobStore(destination), delete: true, dryRun: false, null, null, default));

        Assert.StartsWith("listed://bucket: '", error.Message, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], HostilePaths.FilesIn(_outside).Select(Path.GetFileName));
        Assert.Empty(Directory.EnumerateFiles(destination, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }));
    }

    [Theory]
    [InlineData(".")]
    [InlineData("./")]
    public void Add_TheRepositoryItself_SaysToAddWhatIsInside(string path)
    {
        var before = Plant();

        var error = Assert.Throws<DataException>(() => DataWorkspace.Open(_root).Add([path], _root, null, default));

        Assert.Equal(DataErrorKind.InvalidInput, error.Kind);
        Assert.StartsWith($"'{path}' is the whole repository", error.Message, StringComparison.Ordinal);
        Assert.Contains("fathom data add data/raw", error.Message, StringComparison.Ordinal);
        Assert.Equal(before.Order(StringComparer.Ordinal), Files().Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Add_HostilePath_IsRefusedBeforeWritingAMetafileOrGitignore(string hostile)
    {
        File.WriteAllText(Path.Combine(_outside, "escape.txt"), "outside");
        var before = Plant();

        var error = Assert.Throws<DataException>(() => DataWorkspace.Open(_root).Add([HostilePaths.For(hostile, _outside)], _root, null, default));

        Assert.Equal(DataErrorKind.InvalidInput, error.Kind);
        Assert.True(error.Message.EndsWith("it cannot be added.", StringComparison.Ordinal) || error.Message.Contains("is the whole repository", StringComparison.Ordinal), error.Message);
        Assert.Equal(before.Order(StringComparer.Ordinal), Files().Order(StringComparer.Ordinal));
        Assert.Equal(["escape.txt", "keep.txt"], HostilePaths.FilesIn(_outside).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Checkout_OutputThatIsALinkLeadingOut_ReplacesTheLinkAndLeavesItsTargetAlone()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "model.bin"), Path.Combine(_outside, "keep.txt"));
        Write("model.bin.dvc", $"outs:\n- md5: {_md5}\n  size: {Payload.Length}\n  hash: md5\n  path: model.bin\n");

        DataWorkspace.Open(_root).Checkout([], _root, force: true, relink: false, null, default);

        Assert.Equal("keep", File.ReadAllText(Path.Combine(_outside, "keep.txt")));
        Assert.Null(new FileInfo(Path.Combine(_root, "model.bin")).LinkTarget);
        Assert.Equal(Payload, File.ReadAllText(Path.Combine(_root, "model.bin")));
    }

    [Fact]
    public void Checkout_WorkspaceFolderReplacedByALinkOut_RefusesBeforeDeletingAnythingThroughIt()
    {
        var dirMd5 = Manifest("sub/a.txt", DataWorkspace.Open(_root).Repository.Cache);
        Write("data.dvc", $"outs:\n- md5: {dirMd5}\n  size: {Payload.Length}\n  nfiles: 1\n  hash: md5\n  path: data\n");
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        // A folder of the workspace cloned as a link: the files behind it are not the manifest's and would be deleted.
        Directory.CreateSymbolicLink(Path.Combine(_root, "data", "sub"), _outside);

        var error = Assert.Throws<DataException>(() => DataWorkspace.Open(_root).Checkout([], _root, force: true, relink: false, null, default));

        Assert.Contains("'data/sub', a symbolic link leading out of the repository", error.Message, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(_outside, "keep.txt")));
    }

    [Theory]
    [InlineData("../../../../x")]
    [InlineData("0123456789abcdef0123456789abcdeX")]
    [InlineData("../../../../../../../../etc/passwd")]
    public void Checkout_ObjectIdFromAManifestThatIsAPath_IsRefused(string md5)
    {
        var json = $"[{{\"md5\": {JsonSerializer.Serialize(md5)}, \"relpath\": \"a.txt\"}}]";
        var dirMd5 = Md5(json) + ".dir";
        DataWorkspace.Open(_root).Repository.Cache.SaveManifest(dirMd5, json);
        Write("data.dvc", $"outs:\n- md5: {dirMd5}\n  size: 1\n  nfiles: 1\n  hash: md5\n  path: data\n");

        var error = Assert.Throws<DvcFormatException>(() => DataWorkspace.Open(_root).Checkout([], _root, force: true, relink: false, null, default));

        Assert.Contains("[0].md5: ", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "data")));
    }

    [Fact]
    public void Checkout_ObjectIdInDvcLockThatIsAPath_IsRefusedWithLineAndField()
    {
        Write("dvc.yaml", "stages:\n  train:\n    cmd: echo\n    outs:\n    - model.bin\n");
        Write("dvc.lock", "schema: '2.0'\nstages:\n  train:\n    cmd: echo\n    outs:\n    - path: model.bin\n      hash: md5\n      md5: ../../../../../../etc/passwd\n");

        var error = Assert.Throws<DvcFormatException>(() => DataWorkspace.Open(_root).Checkout([], _root, force: true, relink: false, null, default));

        Assert.StartsWith("dvc.lock:8: stages.train.outs[0].md5: expected 32 hex digits", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "model.bin")));
    }

    private static string Md5(string text) =>
#pragma warning disable CA5351 // DVC's object ids are MD5
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351

    private string ManifestJson(string relpath) => $"[{{\"md5\": \"{_md5}\", \"relpath\": {JsonSerializer.Serialize(relpath)}}}]";

    private string Manifest(string relpath, ObjectCache cache)
    {
        var json = ManifestJson(relpath);
        var dirMd5 = Md5(json) + ".dir";
        cache.SaveManifest(dirMd5, json);
        return dirMd5;
    }

    private void Write(string relative, string text)
    {
        var full = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    /// <summary>Plants the link to the outside folder (in <paramref name="inside"/>) and lists the repository's files as they are.</summary>
    private HashSet<string> Plant(string? inside = null)
    {
        var folder = inside is null ? _root : Path.Combine(_root, inside);
        Directory.CreateDirectory(folder);
        HostilePaths.PlantLinks(folder, _outside);
        return Files();
    }

    // Links are listed but not followed: what is behind one is checked in the outside folder.
    private HashSet<string> Files() =>
        Directory.EnumerateFileSystemEntries(_root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => !f.StartsWith(Path.Combine(_root, ".dvc", "cache"), StringComparison.Ordinal) && !f.StartsWith(Path.Combine(_root, ".dvc", "tmp"), StringComparison.Ordinal))
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + HostilePaths.LinkedFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

    private void AssertNothingWritten(HashSet<string> before)
    {
        Assert.Equal(["keep.txt"], HostilePaths.FilesIn(_outside).Select(Path.GetFileName));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(_outside, "keep.txt")));
        Assert.Equal(before.Order(StringComparer.Ordinal), Files().Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_root, ".git")));
    }

    /// <summary>A bucket's listing as data: the keys it names, hostile ones included (a real bucket may hold any key).</summary>
    private sealed class ListedBlobs(params (string Key, string Content)[] blobs) : IBlobStore
    {
        public string Url => "listed://bucket";

        public int DefaultJobs => 1;

        public string? LocalPath(string key) => null;

        public Task<IReadOnlyList<BlobInfo>> ListAsync(string prefix, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<BlobInfo>>([.. blobs.Select(b => new BlobInfo(b.Key, b.Content.Length, DateTimeOffset.UnixEpoch, null))]);

        public Task<BlobInfo?> StatAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
            Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(blobs.First(b => b.Key == key).Content)));

        public Task UploadAsync(string key, string sourceFile, string? md5, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
