using System.Net;
using System.Net.Sockets;

namespace Fathom.Server.Http;

/// <summary>The URL Kestrel listens on for a <c>--host</c> and <c>--port</c>.</summary>
internal static class BindAddress
{
    public static string Url(string host, int port) => $"http://{Format(host)}:{port}";

    // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) cannot be bound as such on Linux ("Invalid argument"):
    // it names an IPv4 address, so that address is bound. Other IPv6 addresses need brackets in a URL.
    private static string Format(string host)
    {
        var bare = host.Trim('[', ']');
        if (!IPAddress.TryParse(bare, out var ip))
        {
            return host;
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        return ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
    }
}
