using System.Globalization;

using static Fathom.Bench.BenchSupport;

namespace Fathom.Bench;

/// <summary>
/// The data-versioning targets, end to end through the real CLI, with md5sum and cp -r as the floors: <c>data add</c> of
/// 20,000 files of 4 KiB and of one 1 GiB file, a no-change <c>status</c>, push to a local-folder remote, fetch and
/// checkout into a fresh clone, and pull into another.
/// The targets are for the CLI as shipped, precompiled, which the bench runs by default: <c>dotnet publish src/Fathom.Cli
/// -c Release -r linux-x64 --self-contained false -o artifacts/fathom-r2r &amp;&amp; dotnet run -c Release --project
/// bench/Fathom.Bench -- data [--files 20000] [--big-mib 1024] [--only add,status,push,checkout,pull] [--s3 2000] [--fathom other/fathom]</c>.
/// <c>--only</c> runs just those steps (the files are still added, untimed, when push or pull needs them); <c>--s3 N</c>
/// also pushes and pulls N files of 4 KiB to an <c>s3rver</c> on loopback (<c>--only s3</c> for that alone). Wall times
/// mean little on a shared, loaded machine: compare with the md5sum and cp floors printed in the same run, and mind the
/// load average.
/// </summary>
internal static class DataBenchmark
{
    private static readonly string[] AllSteps = ["add", "status", "push", "checkout", "pull"];

    public static async Task<int> RunAsync(string[] args)
    {
        var fileCount = int.Parse(Option(args, "--files") ?? "20000", CultureInfo.InvariantCulture);
        var bigMib = int.Parse(Option(args, "--big-mib") ?? "1024", CultureInfo.InvariantCulture);
        var s3Files = Option(args, "--s3") is { } s3 ? int.Parse(s3, CultureInfo.InvariantCulture) : 0;
        var steps = Option(args, "--only")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)
            ?? [.. AllSteps, .. s3Files > 0 ? ["s3"] : Array.Empty<string>()];
        if (steps.Contains("s3") && s3Files == 0)
        {
            s3Files = 2000;
        }

        if (PublishedCli(args) is not { } fathom)
        {
            return 2;
        }

        var work = Path.Combine(Path.GetTempPath(), "fathom-bench-data", Guid.NewGuid().ToString("N"));
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }

        var repo = Path.Combine(work, "repo");
        Directory.CreateDirectory(repo);
        try
        {
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}; CLI {fathom.Description}");
            if (steps.Overlaps(AllSteps))
            {
                await LocalAsync(fathom, work, repo, fileCount, steps.Contains("add") ? bigMib : 0, steps);
            }

            if (steps.Contains("s3"))
            {
                await S3Async(fathom, Path.Combine(work, "s3"), s3Files);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task LocalAsync(CliUnderTest fathom, string work, string repo, int fileCount, int bigMib, HashSet<string> steps)
    {
        Generate(repo, fileCount, bigMib);
        Console.WriteLine($"data: {fileCount:N0} files of 4 KiB in data/{(bigMib > 0 ? $", one {bigMib:N0} MiB file big.bin" : "")} (page cache warm for every step)");
        // The copies are kept until the end: on ext4 without a journal, files created within ~30 s of deleting
        // thousands skip the freed inodes one by one ("recently deleted"), which would slow the add measured next.
        var copyFloor = await TimeAsync(repo, "cp", "-r", "data", Path.Combine(work, "copy"));
        Console.WriteLine($"file-system floor: cp -r of the {fileCount:N0} files {copyFloor.TotalSeconds:0.000} s (add, push and pull each create that many files)");
        var startup = await fathom.TimeAsync(repo, "--help");
        Console.WriteLine($"fathom --help (process start-up): {startup.TotalSeconds:0.000} s");
        await fathom.TimeAsync(repo, "data", "init");
        if (!steps.Contains("add"))
        {
            await fathom.TimeAsync(repo, "data", "add", "data");
        }
        else
        {
            var floorSmall = await TimeAsync(repo, "sh", "-c", "find data -type f -print0 | xargs -0 md5sum > /dev/null");
            Console.WriteLine($"floor: md5sum over the {fileCount:N0} files {floorSmall.TotalSeconds:0.000} s");
            var addSmall = await fathom.TimeAsync(repo, "data", "add", "data");
            Console.WriteLine($"data add data/ ({fileCount:N0} files): {addSmall.TotalSeconds:0.000} s  (target < 1.5 s)");
            if (bigMib > 0)
            {
                var floorBig = await TimeAsync(repo, "md5sum", "big.bin");
                Console.WriteLine($"floor: md5sum over big.bin {floorBig.TotalSeconds:0.000} s");
                var addBig = await fathom.TimeAsync(repo, "data", "add", "big.bin");
                Console.WriteLine($"data add big.bin: {addBig.TotalSeconds:0.000} s = {addBig / floorBig:0.00}x md5sum  (target <= 1.3x)");
            }
        }

        if (steps.Contains("status"))
        {
            // The add just before leaves up to a GiB of dirty pages; flushed first, so that the figure is status's own
            // and not the kernel's writeback competing with it. 15 runs: one status is short enough for a stray
            // scheduler delay to move a median of 5.
            await TimeAsync(repo, "sync");
            var status = new List<TimeSpan>();
            for (var i = 0; i < 15; i++)
            {
                status.Add(await fathom.TimeAsync(repo, "data", "status"));
            }

            status.Sort();
            Console.WriteLine($"data status, nothing changed: median {status[7].TotalSeconds:0.000} s, best {status[0].TotalSeconds:0.000} s, worst {status[^1].TotalSeconds:0.000} s of 15  (target < 0.15 s)");
        }

        if (!steps.Contains("push") && !steps.Contains("pull") && !steps.Contains("checkout"))
        {
            return;
        }

        // Every copy, Fathom's and its floor's, goes into a fresh folder that was never emptied (see above); each floor
        // is taken right before its step. A step's floor is the cp -r of what it must create: push and fetch one copy of
        // each object, checkout one copy of each file (cache.type copy, the default where reflink is refused), pull both.
        var remote = Path.Combine(work, "remote");
        await fathom.TimeAsync(repo, "data", "remote", "add", "-d", "local", remote);
        var cacheFloor = await TimeAsync(repo, "cp", "-r", Path.Combine(".dvc", "cache", "files"), Path.Combine(work, "cache-copy"));
        var push = await fathom.TimeAsync(repo, "data", "push", "data");
        Console.WriteLine($"data push data/ to a local remote: {push.TotalSeconds:0.000} s = {push / cacheFloor:0.00}x its floor  (target < 3 s, <= 1.2x; floor: cp -r of the cache just before, {cacheFloor.TotalSeconds:0.000} s)");
        if (steps.Contains("checkout"))
        {
            var fetched = Clone(work, repo, "fetched");
            var fetchFloor = await TimeAsync(work, "cp", "-r", remote, Path.Combine(work, "remote-copy"));
            var fetch = await fathom.TimeAsync(fetched, "data", "fetch", "data");
            Console.WriteLine($"data fetch data/ into a fresh clone: {fetch.TotalSeconds:0.000} s = {fetch / fetchFloor:0.00}x its floor  (floor: cp -r of the remote just before, {fetchFloor.TotalSeconds:0.000} s)");
            var checkoutFloor = await TimeAsync(repo, "cp", "-r", "data", Path.Combine(work, "data-copy"));
            var checkout = await fathom.TimeAsync(fetched, "data", "checkout", "data");
            Console.WriteLine($"data checkout data/ after that fetch: {checkout.TotalSeconds:0.000} s = {checkout / checkoutFloor:0.00}x its floor  (floor: cp -r of data/ just before, {checkoutFloor.TotalSeconds:0.000} s)");
        }

        if (steps.Contains("pull"))
        {
            // A fresh clone first (what git carries: .dvc/config and data.dvc), as a user pulls after git clone.
            var clone = Clone(work, repo, "clone");
            var pullFloor = await TimeAsync(work, "cp", "-r", remote, Path.Combine(work, "remote-copy-2"))
                + await TimeAsync(repo, "cp", "-r", "data", Path.Combine(work, "data-copy-2"));
            var pull = await fathom.TimeAsync(clone, "data", "pull", "data");
            Console.WriteLine($"data pull data/ into a fresh clone (fetch + checkout): {pull.TotalSeconds:0.000} s = {pull / pullFloor:0.00}x its floor  (target < 3 s, <= 1.2x; floor: cp -r of the remote plus cp -r of data/ just before, {pullFloor.TotalSeconds:0.000} s)");
            var verify = await fathom.TimeAsync(clone, "data", "status", "data");
            Console.WriteLine($"data status after pull: {verify.TotalSeconds:0.000} s");

            // Then in place, right after deleting the cache and data/: on ext4 without a journal, new inodes skip the
            // 40,000 just freed ("recently deleted"), which makes every file creation slower; cp -r suffers alike.
            Directory.Delete(Path.Combine(repo, ".dvc", "cache"), recursive: true);
            Directory.Delete(Path.Combine(repo, "data"), recursive: true);
            var inPlace = await fathom.TimeAsync(repo, "data", "pull", "data");
            Console.WriteLine($"data pull data/ in place right after deleting cache and data/: {inPlace.TotalSeconds:0.000} s");
        }
    }

    /// <summary>A fresh clone of <paramref name="repo"/> in <paramref name="work"/>: what git carries, .dvc/config and data.dvc.</summary>
    private static string Clone(string work, string repo, string name)
    {
        var clone = Path.Combine(work, name);
        Directory.CreateDirectory(Path.Combine(clone, ".dvc"));
        File.Copy(Path.Combine(repo, ".dvc", "config"), Path.Combine(clone, ".dvc", "config"));
        File.Copy(Path.Combine(repo, "data.dvc"), Path.Combine(clone, "data.dvc"));
        return clone;
    }

    /// <summary>Push and pull of <paramref name="fileCount"/> files of 4 KiB to a bucket on a loopback s3rver.</summary>
    private static async Task S3Async(CliUnderTest fathom, string repo, int fileCount)
    {
        Directory.CreateDirectory(repo);
        Generate(repo, fileCount, 0);
        await using var s3 = await BenchS3rver.StartAsync();
        await fathom.TimeAsync(repo, "data", "init");
        await fathom.TimeAsync(repo, "data", "add", "data");
        await fathom.TimeAsync(repo, "data", "remote", "add", "-d", "bucket", $"s3://{BenchS3rver.Bucket}/bench");
        await fathom.TimeAsync(repo, "data", "remote", "modify", "bucket", "endpointurl", s3.Endpoint);
        await fathom.TimeAsync(repo, "data", "remote", "modify", "--local", "bucket", "access_key_id", BenchS3rver.Credential);
        await fathom.TimeAsync(repo, "data", "remote", "modify", "--local", "bucket", "secret_access_key", BenchS3rver.Credential);
        var push = await fathom.TimeAsync(repo, "data", "push", "data");
        Console.WriteLine($"data push data/ ({fileCount:N0} files) to s3rver: {push.TotalSeconds:0.000} s");
        var again = await fathom.TimeAsync(repo, "data", "push", "data");
        Console.WriteLine($"data push again, nothing to send (one listing): {again.TotalSeconds:0.000} s");
        Directory.Delete(Path.Combine(repo, ".dvc", "cache"), recursive: true);
        Directory.Delete(Path.Combine(repo, "data"), recursive: true);
        var pull = await fathom.TimeAsync(repo, "data", "pull", "data");
        Console.WriteLine($"data pull data/ ({fileCount:N0} files) from s3rver (fetch + checkout): {pull.TotalSeconds:0.000} s");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static void Generate(string repo, int fileCount, int bigMib)
    {
        var random = new Random(42);
        var buffer = new byte[4096];
        for (var i = 0; i < fileCount; i++)
        {
            var folder = Path.Combine(repo, "data", (i / 1000).ToString("D2", CultureInfo.InvariantCulture));
            if (i % 1000 == 0)
            {
                Directory.CreateDirectory(folder);
            }

            random.NextBytes(buffer);
            File.WriteAllBytes(Path.Combine(folder, $"{i:D5}.bin"), buffer);
        }

        if (bigMib == 0)
        {
            return;
        }

        var chunk = new byte[1 << 20];
        using var big = File.Create(Path.Combine(repo, "big.bin"));
        for (var i = 0; i < bigMib; i++)
        {
            random.NextBytes(chunk);
            big.Write(chunk);
        }
    }
}
