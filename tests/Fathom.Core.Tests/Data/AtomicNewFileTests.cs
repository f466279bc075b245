using System.Security.Cryptography;
using System.Text;
using Fathom.Data;

// DVC names objects by MD5; the tests compute the names the same way.
#pragma warning disable CA5351

namespace Fathom.Tests.Data;

/// <summary>
/// The write path of cache and local-remote objects on Linux: an unnamed file linked in when complete (O_TMPFILE), and
/// the temporary-name-then-rename path used where the file system has no O_TMPFILE. Both must produce the same object,
/// read-only, and leave nothing else in the folder — also when the write is abandoned half-way, as in a crash.
/// The tests switch the process-wide choice of path, so they live in one class (xunit runs its tests one at a time).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AtomicNewFileTests
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static TheoryData<bool> Paths => new() { true, false };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Commit_WrittenFile_AppearsWholeReadOnlyAndAlone(bool unnamed)
    {
        using var dir = new TempDirectory();
        var target = dir.Combine("ab", "cdef");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        var created = WithPath(unnamed, () =>
        {
            using var file = AtomicNewFile.Create(target, ReadOnly);
            file.Write("hello "u8);
            // Not yet committed: under no name at all (O_TMPFILE), or only under a hidden temporary name.
            Assert.False(File.Exists(target));
            file.Write("world"u8, 6);
            return file.Commit(replace: false);
        });

        Assert.True(created);
        Assert.Equal("hello world", File.ReadAllText(target));
        Assert.Equal(ReadOnly, File.GetUnixFileMode(target));
        Assert.Equal(["cdef"], Directory.GetFiles(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Dispose_WithoutCommit_LeavesNothingBehind(bool unnamed)
    {
        using var dir = new TempDirectory();
        var folder = dir.Combine("ab");
        Directory.CreateDirectory(folder);

        WithPath(unnamed, () =>
        {
            using var file = AtomicNewFile.Create(Path.Combine(folder, "cdef"), ReadOnly);
            file.Write(new byte[100_000]);
            return false;
        });

        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Commit_NameTaken_KeepsOrReplacesAsAsked(bool unnamed)
    {
        using var dir = new TempDirectory();
        var target = dir.WriteFile("ab/cdef", "old");

        var (kept, replaced, stillUnnamed) = WithPath(unnamed, () =>
        {
            bool first, second;
            using (var file = AtomicNewFile.Create(target, ReadOnly))
            {
                file.Write("new"u8);
                first = file.Commit(replace: false);
            }

            var keptText = File.ReadAllText(target);
            using (var file = AtomicNewFile.Create(target, ReadOnly))
            {
                file.Write("newer"u8);
                second = file.Commit(replace: true);
            }

            return (first ? "committed" : keptText, second, AtomicNewFile.UnnamedWorks);
        });

        // The O_TMPFILE path leaves an existing name alone (same name, same content in a cache); rename replaces.
        Assert.Equal(stillUnnamed ? "old" : "committed", kept);
        Assert.True(replaced);
        Assert.Equal("newer", File.ReadAllText(target));
        Assert.Equal(["cdef"], Directory.GetFiles(dir.Combine("ab")).Select(Path.GetFileName));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task AddAndPush_ManyFilesSomeCached_ObjectsRightReadOnlyNoTemporaries(bool unnamed)
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        // Past the count where the cache lists its prefix folders instead of asking per object; the first half is
        // already cached by an earlier add, so the listing must skip those and store the rest.
        var contents = Enumerable.Range(0, 700).Select(i => $"file {i}\n").ToList();
        var workspace = DataWorkspace.Open(dir.Path);
        var remote = dir.Combine("remote");
        workspace.AddRemote("local", remote, makeDefault: true, force: false, dir.Path);

        var pushed = await WithPathAsync(unnamed, async () =>
        {
            for (var i = 0; i < contents.Count; i++)
            {
                dir.WriteFile($"data/{i % 7}/{i:D4}.txt", contents[i]);
                if (i == 349)
                {
                    workspace.Add(["data"], dir.Path, null, default);
                }
            }

            workspace.Add(["data"], dir.Path, null, default);
            return await workspace.PushAsync(["data"], dir.Path, null, null, default);
        });

        var cache = dir.Combine(".dvc", "cache", "files", "md5");
        foreach (var content in contents)
        {
            var md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(content)));
            var cached = Path.Combine(cache, md5[..2], md5[2..]);
            Assert.Equal(content, File.ReadAllText(cached));
            Assert.Equal(ReadOnly, File.GetUnixFileMode(cached));
            Assert.Equal(content, File.ReadAllText(Path.Combine(remote, "files", "md5", md5[..2], md5[2..])));
        }

        // 700 files and the two folder manifests (350 files, then 700), nothing else: no temporary names left in cache or remote.
        Assert.Equal(702, Directory.GetFiles(cache, "*", SearchOption.AllDirectories).Length);
        Assert.Equal(701, pushed.Transferred);
        Assert.Equal(701, Directory.GetFiles(remote, "*", SearchOption.AllDirectories).Length);
        Assert.Empty(workspace.Status([], dir.Path, default));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Fetch_GoodAndCorruptObjects_GoodOnesReadOnlyCorruptOneLeavesNothing(bool unnamed)
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        var workspace = DataWorkspace.Open(dir.Path);
        var remote = dir.Combine("remote");
        workspace.AddRemote("local", remote, makeDefault: true, force: false, dir.Path);
        string[] contents = ["alpha\n", "beta\n", "gamma\n"];
        for (var i = 0; i < contents.Length; i++)
        {
            dir.WriteFile($"data/{i}.txt", contents[i]);
        }

        workspace.Add(["data"], dir.Path, null, default);
        await workspace.PushAsync(["data"], dir.Path, null, null, default);
        var cache = dir.Combine(".dvc", "cache", "files", "md5");
        Directory.Delete(dir.Combine(".dvc", "cache"), recursive: true);
        // The remote's copy of "beta" is damaged: its bytes no longer hash to its name.
        var beta = Md5(contents[1]);
        var damaged = Path.Combine(remote, "files", "md5", beta[..2], beta[2..]);
        File.SetUnixFileMode(damaged, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(damaged, "bent\n");

        // A new process would open the workspace anew: the old one remembers cache folders that are gone now.
        var fetched = await WithPathAsync(unnamed, () => DataWorkspace.Open(dir.Path).FetchAsync(["data"], dir.Path, null, null, default));

        Assert.Equal([beta], fetched.Failed.Select(f => f.Md5));
        foreach (var content in new[] { contents[0], contents[2] })
        {
            var md5 = Md5(content);
            var cached = Path.Combine(cache, md5[..2], md5[2..]);
            Assert.Equal(content, File.ReadAllText(cached));
            Assert.Equal(ReadOnly, File.GetUnixFileMode(cached));
        }

        // The two good files and the manifest, and no temporary name or partial object for the corrupt one.
        Assert.Equal(3, Directory.GetFiles(cache, "*", SearchOption.AllDirectories).Length);
        Assert.False(File.Exists(Path.Combine(cache, beta[..2], beta[2..])));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Add_BigFile_CopiedWhileHashedObjectReadOnlyAndAlone(bool unnamed)
    {
        using var dir = new TempDirectory();
        DvcRepository.Init(dir.Path, force: false);
        // Past FileMd5.SmallFile, so add takes the copy-while-hashing path.
        var content = new byte[(3 << 20) + 7];
        new Random(4).NextBytes(content);
        var big = dir.Combine("big.bin");
        File.WriteAllBytes(big, content);
        var workspace = DataWorkspace.Open(dir.Path);

        WithPath(unnamed, () => workspace.Add(["big.bin"], dir.Path, null, default));
        // Adding it again finds the object already there and leaves it as it is.
        WithPath(unnamed, () => workspace.Add(["big.bin"], dir.Path, null, default));

        var md5 = Convert.ToHexStringLower(MD5.HashData(content));
        var cache = dir.Combine(".dvc", "cache", "files", "md5");
        var cached = Path.Combine(cache, md5[..2], md5[2..]);
        Assert.Equal(content, File.ReadAllBytes(cached));
        Assert.Equal(ReadOnly, File.GetUnixFileMode(cached));
        Assert.Equal([cached], Directory.GetFiles(cache, "*", SearchOption.AllDirectories));
    }

    private static string Md5(string content) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(content)));

    private static T WithPath<T>(bool unnamed, Func<T> body)
    {
        var before = AtomicNewFile.UnnamedWorks;
        AtomicNewFile.UnnamedWorks = unnamed;
        try
        {
            return body();
        }
        finally
        {
            AtomicNewFile.UnnamedWorks = before;
        }
    }

    private static async Task<T> WithPathAsync<T>(bool unnamed, Func<Task<T>> body)
    {
        var before = AtomicNewFile.UnnamedWorks;
        AtomicNewFile.UnnamedWorks = unnamed;
        try
        {
            return await body();
        }
        finally
        {
            AtomicNewFile.UnnamedWorks = before;
        }
    }
}
