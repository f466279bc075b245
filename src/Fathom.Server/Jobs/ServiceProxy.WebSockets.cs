using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;

namespace Fathom.Jobs;

internal sealed partial class ServiceProxy
{
    /// <summary>
    /// A WebSocket to a service (a notebook's kernel, an editor): the upstream connection is made first, with the
    /// subprotocols the client offered, so a service that refuses is a 502 rather than an accepted socket that closes at
    /// once; then frames are relayed both ways as they come, and a close from either side is passed on.
    /// </summary>
    private async Task RelayWebSocketAsync(HttpContext context, string uuid, Uri target, CancellationToken ct)
    {
        using var upstream = new ClientWebSocket();
        foreach (var protocol in context.WebSockets.WebSocketRequestedProtocols)
        {
            upstream.Options.AddSubProtocol(protocol);
        }

        if (context.Request.Headers.Cookie is { Count: > 0 } cookie)
        {
            upstream.Options.SetRequestHeader("Cookie", cookie.ToString());
        }

        try
        {
            await upstream.ConnectAsync(new UriBuilder(target) { Scheme = "ws" }.Uri, ct);
        }
        catch (WebSocketException e)
        {
            await errors.WriteAsync(context, StatusCodes.Status502BadGateway,
                $"The service of run {uuid} did not accept a WebSocket on 127.0.0.1:{target.Port.ToString(CultureInfo.InvariantCulture)}: {e.Message}");
            return;
        }

        using var downstream = await context.WebSockets.AcceptWebSocketAsync(upstream.SubProtocol);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var toService = PumpAsync(downstream, upstream, stop.Token);
        var toClient = PumpAsync(upstream, downstream, stop.Token);
        var first = await Task.WhenAny(toService, toClient);
        if (first.IsFaulted || first.IsCanceled)
        {
            // One side broke off without a close: the other is cut too rather than left waiting.
            await stop.CancelAsync();
        }

        try
        {
            await Task.WhenAll(toService, toClient).WaitAsync(TimeSpan.FromSeconds(10), ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            upstream.Abort();
            downstream.Abort();
        }
    }

    private static async Task PumpAsync(WebSocket from, WebSocket to, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var received = await from.ReceiveAsync(buffer.AsMemory(), ct);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    if (to.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await to.CloseOutputAsync(from.CloseStatus ?? WebSocketCloseStatus.NormalClosure, from.CloseStatusDescription, ct);
                    }

                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
