using System.Diagnostics;
using System.Globalization;
using Fathom.Auth;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Jobs;

internal static partial class JobsApi
{
    /// <summary>The header that says the byte offset after what an answer holds: pass it as <c>offset</c> to resume.</summary>
    public const string OffsetHeader = "X-Fathom-Log-Offset";

    private static readonly TimeSpan StatusCheck = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// <c>GET /api/v1/runs/{uuid}/logs?offset=N&amp;follow=true</c>: the run's log from byte <c>offset</c> as plain text.
    /// Without <c>follow</c>, what the file holds now (the offset after it in <see cref="OffsetHeader"/>); with it, a
    /// chunked answer that sends each line as the job writes it and ends once the run has ended and its log is read
    /// to the end (a client that loses the connection resumes at the bytes it has received).
    /// </summary>
    private static void MapLogs(RouteGroupBuilder group, JobQueue queue)
    {
        group.MapGet("/runs/{uuid}/logs", async (HttpContext context) =>
        {
            var ct = context.RequestAborted;
            long offset;
            bool follow;
            JobRunRecord run;
            try
            {
                var request = await MlflowRequests.GetAsync(context, ct);
                run = await FindAsync(queue, request.Route("uuid")!, ct);
                offset = request.Int64("offset") ?? 0;
                follow = request.Bool("follow") ?? false;
                if (offset < 0)
                {
                    throw TrackingException.Invalid($"offset must be at least 0 (got {offset}).");
                }
            }
            catch (TrackingException e)
            {
                await MlflowErrors.WriteAsync(context.Response, e, ct);
                return;
            }

            var options = context.RequestServices.GetRequiredService<JobServerOptions>();
            context.Response.ContentType = "text/plain; charset=utf-8";
            if (!follow)
            {
                var bytes = await ReadFromAsync(run.LogPath, offset, ct);
                context.Response.Headers[OffsetHeader] = (offset + bytes.Length).ToString(CultureInfo.InvariantCulture);
                await context.Response.Body.WriteAsync(bytes, ct);
                return;
            }

            context.Response.Headers.CacheControl = "no-cache";
            // Proxies must pass each chunk on as it comes (nginx buffers otherwise).
            context.Response.Headers["X-Accel-Buffering"] = "no";
            await context.Response.StartAsync(ct);
            var clock = Stopwatch.StartNew();
            var lastCheck = -StatusCheck;
            var done = run.Status.IsDone();
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    var bytes = await ReadFromAsync(run.LogPath, offset, ct);
                    if (bytes.Length > 0)
                    {
                        offset += bytes.Length;
                        await context.Response.Body.WriteAsync(bytes, ct);
                        await context.Response.Body.FlushAsync(ct);
                        continue;
                    }

                    if (done)
                    {
                        return;
                    }

                    // The status is read twice a second at most; the file, every watch interval.
                    if (clock.Elapsed - lastCheck > StatusCheck)
                    {
                        lastCheck = clock.Elapsed;
                        done = (await queue.Store.GetRunAsync(run.Uuid, ct))?.Status.IsDone() ?? true;
                        // One more read after the run ended catches the last lines written before the status moved.
                        continue;
                    }

                    await Task.Delay(options.WatchInterval, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The client went away.
            }
        }).WithMetadata(MlflowRoute.PathOnly, RoutePermission.JobRun(Access.Read, r => r.Route("uuid") ?? throw MlflowRequest.Missing("uuid")));
    }

    // At most 64 KiB per read: a long log goes out in chunks rather than through one large buffer.
    private static async Task<byte[]> ReadFromAsync(string? path, long offset, CancellationToken ct)
    {
        if (path is null || !File.Exists(path))
        {
            return [];
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
        if (offset >= stream.Length)
        {
            return [];
        }

        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[(int)Math.Min(64 * 1024, stream.Length - offset)];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        return read == buffer.Length ? buffer : buffer[..read];
    }
}
