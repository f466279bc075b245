using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;

namespace Fathom.Cli.Commands;

/// <summary>Starts a web host and says what to do when its address cannot be bound.</summary>
internal static class HostStart
{
    public static async Task StartAsync(WebApplication app, string host, int port, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e) when (Find(e) is { } socket)
        {
            var what = socket.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the port is in use; pick another --port (0 picks a free one) or stop what listens there",
                SocketError.AccessDenied => "binding it needs privileges; use a port above 1023",
                SocketError.AddressNotAvailable => "no network interface of this machine has that address; give --host one it has, e.g. 127.0.0.1",
                _ => socket.Message,
            };
            throw new IOException($"cannot listen on {host} port {port}: {what}.", e);
        }
    }

    private static SocketException? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }
}
