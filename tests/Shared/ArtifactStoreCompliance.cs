using System.Text;
using Fathom.Storage;

namespace Fathom.Testing;

/// <summary>
/// The contract every artifact store keeps, run once per backend (local folder, S3, the MLflow artifact proxy):
/// a subclass supplies a fresh, empty store.
/// </summary>
public abstract partial class ArtifactStoreCompliance : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "fathom-compliance", Guid.NewGuid().ToString("N"));

    protected ArtifactStoreCompliance() => Directory.CreateDirectory(_scratch);

    /// <summary>A new, empty store; each test calls it once.</summary>
    protected abstract IArtifactStore CreateStore();

    /// <summary>True when the backend cannot run here (e.g. no node for s3rver) and the test should skip.</summary>
    protected virtual string? Unavailable => null;

    public void Dispose()
    {
        Directory.Delete(_scratch, recursive: true);
        GC.SuppressFinalize(this);
    }

    private string LocalFile(string name, string content)
    {
        var path = Path.Combine(_scratch, "src", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private async Task<IArtifactStore> SeededAsync()
    {
        Skip.If(Unavailable is not null, Unavailable);
        var store = CreateStore();
        await store.UploadFileAsync(LocalFile("MLmodel", "flavors: {}"), "model/MLmodel", default);
        await store.UploadFileAsync(LocalFile("w.bin", "0123456789"), "model/data/w.bin", default);
        await store.UploadFileAsync(LocalFile("r.txt", "ok"), "report.txt", default);
        return store;
    }

    [SkippableFact]
    public async Task Upload_ThenOpenRead_ReturnsTheBytes()
    {
        var store = await SeededAsync();
        await using var stream = await store.OpenReadAsync("model/data/w.bin", default);
        Assert.Equal("0123456789", await new StreamReader(stream).ReadToEndAsync());
    }

    [SkippableFact]
    public async Task List_Root_ShowsFoldersAndFilesWithSizesSorted()
    {
        var store = await SeededAsync();

        var root = await store.ListAsync(null, default);
        var model = await store.ListAsync("model", default);

        Assert.Equal([("model", true, (long?)null), ("report.txt", false, 2L)], root.Select(e => (e.Path, e.IsDirectory, e.FileSize)));
        Assert.Equal([("model/MLmodel", false), ("model/data", true)], model.Select(e => (e.Path, e.IsDirectory)));
    }

    [SkippableFact]
    public async Task UploadStream_ThenOpenRead_ReturnsTheBytes()
    {
        var store = await SeededAsync();
        using var content = new MemoryStream(Encoding.UTF8.GetBytes("streamed bytes"));

        await store.UploadAsync(content, "logs/out.txt", default);

        await using var stream = await store.OpenReadAsync("logs/out.txt", default);
        Assert.Equal("streamed bytes", await new StreamReader(stream).ReadToEndAsync());
    }

    // s3rver leaves a folder that holds only folders out of a delimited listing; every store lists it.
    [SkippableFact]
    public async Task List_FolderHoldingOnlyFolders_IsListedBesideFiles()
    {
        var store = await SeededAsync();
        await store.UploadFileAsync(LocalFile("deep.txt", "d"), "sub/deeper/deepest/x.txt", default);
        await store.UploadFileAsync(LocalFile("zz.txt", "z"), "zz.txt", default);

        var root = await store.ListAsync(null, default);
        var sub = await store.ListAsync("sub", default);

        Assert.Equal(["model/", "report.txt", "sub/", "zz.txt"], root.Select(e => e.Path + (e.IsDirectory ? "/" : "")));
        Assert.Equal(["sub/deeper/"], sub.Select(e => e.Path + (e.IsDirectory ? "/" : "")));
    }

    // Names are stored as written: MLflow's log_image writes '%step%23%timestamp%17…', never to be decoded into '#' or
    // a control character; S3's URL-encoded listings spell a space '+' and a '+' '%2B'.
    [SkippableTheory]
    [InlineData("images/loss%step%23%timestamp%1700000000123%h3c1e2d4-aaaa.png")]
    [InlineData("images/acc%step%2500%timestamp%1712345678901%zzc1e2d4.webp")]
    [InlineData("a%2Fb.txt")]
    [InlineData("a+b c%20d.txt")]
    public async Task Names_WithEscapesPlusesAndSpaces_AreStoredListedAndReadAsWritten(string path)
    {
        var store = await SeededAsync();

        await store.UploadFileAsync(LocalFile("named.txt", "named"), path, default);

        var folder = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : null;
        Assert.Contains(path, (await store.ListAsync(folder, default)).Select(e => e.Path));
        await using var stream = await store.OpenReadAsync(path, default);
        Assert.Equal("named", await new StreamReader(stream).ReadToEndAsync());
    }

    [SkippableFact]
    public async Task List_MissingFolder_IsEmpty()
    {
        var store = await SeededAsync();
        Assert.Empty(await store.ListAsync("nothing/here", default));
    }

    [SkippableFact]
    public async Task OpenRead_MissingFile_IsFileNotFound()
    {
        var store = await SeededAsync();
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync("model/absent.bin", default));
    }

    [SkippableFact]
    public async Task Download_Folder_CopiesTheTree()
    {
        var store = await SeededAsync();

        var local = await store.DownloadAsync("model", Path.Combine(_scratch, "out"), default);

        Assert.Equal("flavors: {}", await File.ReadAllTextAsync(Path.Combine(local, "MLmodel")));
        Assert.Equal("0123456789", await File.ReadAllTextAsync(Path.Combine(local, "data", "w.bin")));
        Assert.Empty(Directory.EnumerateFiles(local, "*.tmp-*", SearchOption.AllDirectories));
    }

    [SkippableFact]
    public async Task Download_File_CopiesIt()
    {
        var store = await SeededAsync();
        var local = await store.DownloadAsync("report.txt", Path.Combine(_scratch, "out"), default);
        Assert.Equal("ok", await File.ReadAllTextAsync(local));
    }

    [SkippableFact]
    public async Task Upload_SamePathAgain_Overwrites()
    {
        var store = await SeededAsync();
        await store.UploadFileAsync(LocalFile("r2.txt", "newer"), "report.txt", default);
        await using var stream = await store.OpenReadAsync("report.txt", default);
        Assert.Equal("newer", await new StreamReader(stream).ReadToEndAsync());
    }

    [SkippableFact]
    public async Task Delete_Folder_RemovesEverythingBelowIt()
    {
        var store = await SeededAsync();
        await store.DeleteAsync("model", default);
        Assert.Equal(["report.txt"], (await store.ListAsync(null, default)).Select(e => e.Path));
    }

    public static TheoryData<string> Escaping => HostilePaths.EscapingOnly();

    [SkippableTheory]
    [MemberData(nameof(Escaping))]
    public async Task Paths_EveryEscapeOfTheTable_IsRefusedByEveryOperation(string path)
    {
        var store = await SeededAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UploadFileAsync(LocalFile("x", "x"), path, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(path, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.OpenReadAsync(path, default));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteAsync(path, default));
        Assert.Equal(["model", "report.txt"], (await store.ListAsync(null, default)).Select(e => e.Path));
    }

    [SkippableFact]
    public async Task Paths_Traversal_IsRefused()
    {
        var store = await SeededAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.UploadFileAsync(LocalFile("x", "x"), "../escape.txt", default));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync("a/../../b", default));
    }
}
