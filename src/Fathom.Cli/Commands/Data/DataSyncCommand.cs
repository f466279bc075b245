using System.CommandLine;
using Fathom.Cli.Rendering;
using Fathom.Data;
using Spectre.Console;

namespace Fathom.Cli.Commands.Data;

/// <summary>
/// <c>fathom data sync &lt;src&gt; &lt;dst&gt;</c>: the one-way incremental copy of <c>gsutil -m rsync -r</c> between a
/// bucket prefix (<c>s3://</c>, <c>gs://</c>) and a local folder, either way round.
/// </summary>
internal static class DataSyncCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("src") { Description = "Where to copy from: s3://bucket/prefix, gs://bucket/prefix or a folder." };
        var destination = new Argument<string>("dst") { Description = "Where to copy to: a folder, s3://bucket/prefix or gs://bucket/prefix." };
        var delete = new Option<bool>("--delete", "-d") { Description = "Also delete files in dst that src does not have." };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only list what would be copied or deleted." };
        var jobs = DataOptions.Jobs();
        var command = new Command("sync", "Copy new and changed files from src to dst (size and time for folders, size and md5/ETag for buckets); nothing is deleted unless --delete.")
        {
            source, destination, delete, dryRun, jobs,
        };
        return command.WithAction(async (parse, cli, ct) =>
        {
            var resolver = S3DataRemotes.Register(new BlobStoreResolver());
            var here = Directory.GetCurrentDirectory();
            var options = new Dictionary<string, string>();
            var from = resolver.Resolve(parse.GetValue(source)!, options, here);
            var to = resolver.Resolve(parse.GetValue(destination)!, options, here);
            var dry = parse.GetValue(dryRun);
            var result = await ProgressReporter.RunAsync(cli.Error, dry ? "Comparing" : "Syncing", null, progress =>
                BlobSync.SyncAsync(from, to, parse.GetValue(delete), dry, DataOptions.ValidJobs(parse.GetValue(jobs)), progress, ct));
            if (cli.Json)
            {
                cli.WriteJson(new { copied = result.Copied, bytes = result.Bytes, skipped = result.Skipped, deleted = result.Deleted, dry_run = result.DryRun, changes = result.Changes.Select(c => new { key = c.Key, action = c.Action, size = c.Size }) });
                return ExitCodes.Success;
            }

            if (dry)
            {
                foreach (var change in result.Changes)
                {
                    cli.Out.WriteLine($"Would {change.Action} {change.Key}");
                }

                cli.Out.WriteLine($"Would copy {result.Copied:N0} files ({Format.Bytes(result.Bytes)}), skip {result.Skipped:N0} unchanged, delete {result.Deleted:N0}.");
            }
            else
            {
                cli.Out.WriteLine($"Copied {result.Copied:N0} files ({Format.Bytes(result.Bytes)}), skipped {result.Skipped:N0} unchanged, deleted {result.Deleted:N0}.");
            }

            return ExitCodes.Success;
        });
    }
}
