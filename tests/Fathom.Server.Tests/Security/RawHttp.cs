using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fathom.Server.Tests.Security;

/// <summary>One answer as it came over the wire.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A bare HTTP/1.1 client over one keep-alive connection: it sends the request line, headers and body exactly as
/// given (no normalising of the path, no encoding, chunked when asked), as an attacker's tool would, where
/// <see cref="HttpClient"/> would tidy the request first.
/// </summary>
internal sealed class RawHttp(IPEndPoint server) : IAsyncDisposable
{
    private TcpClient? _client;
    private Stream? _stream;
    private ByteReader? _reader;

    public async Task<RawResponse> SendAsync(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body, bool chunked, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(method, target, headers, body, chunked, cancellationToken);
            }
            catch (IOException) when (attempt == 0)
            {
                // The server closed the kept-alive connection between requests: once more on a new one.
                await CloseAsync();
            }
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync();

    private async Task<RawResponse> SendOnceAsync(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body, bool chunked, CancellationToken cancellationToken)
    {
        if (_stream is null)
        {
            _client = new TcpClient();
            await _client.ConnectAsync(server, cancellationToken);
            _stream = _client.GetStream();
            _reader = new ByteReader(new BufferedStream(_stream, 16 * 1024));
        }

        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\nHost: {server}\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        if (body is not null)
        {
            head.Append(chunked ? "Transfer-Encoding: chunked\r\n" : string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n"));
        }

        head.Append("\r\n");
        using var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes(head.ToString()));
        if (body is not null && chunked)
        {
            // Two chunks, split mid-body, so that a reader relying on one read or on Content-Length would be caught out.
            var half = body.Length / 2;
            foreach (var part in new[] { body[..half], body[half..] }.Where(p => p.Length > 0))
            {
                request.Write(Encoding.ASCII.GetBytes(part.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
                request.Write(part);
                request.Write("\r\n"u8);
            }

            request.Write("0\r\n\r\n"u8);
        }
        else if (body is not null)
        {
            request.Write(body);
        }

        await _stream.WriteAsync(request.ToArray(), cancellationToken);
        var response = await ReadResponseAsync(_reader!, method == "HEAD", cancellationToken);
        if (response.Headers.TryGetValue("connection", out var connection) && connection.Contains("close", StringComparison.OrdinalIgnoreCase))
        {
            await CloseAsync();
        }

        return response;
    }

    private async Task CloseAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _client?.Dispose();
        (_stream, _client, _reader) = (null, null, null);
    }

    private static async Task<RawResponse> ReadResponseAsync(ByteReader reader, bool head, CancellationToken cancellationToken)
    {
        var statusLine = await reader.LineAsync(cancellationToken);
        var status = int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var line = await reader.LineAsync(cancellationToken); line.Length > 0; line = await reader.LineAsync(cancellationToken))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        byte[] body;
        if (head || status is 204 or 304)
        {
            body = [];
        }
        else if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            using var all = new MemoryStream();
            while (true)
            {
                var size = int.Parse((await reader.LineAsync(cancellationToken)).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    while ((await reader.LineAsync(cancellationToken)).Length > 0)
                    {
                        // trailers
                    }

                    break;
                }

                all.Write(await reader.BytesAsync(size, cancellationToken));
                await reader.LineAsync(cancellationToken);
            }

            body = all.ToArray();
        }
        else
        {
            var length = headers.TryGetValue("content-length", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
            body = await reader.BytesAsync(length, cancellationToken);
        }

        return new RawResponse(status, headers, body);
    }

    private sealed class ByteReader(Stream stream)
    {
        public async Task<string> LineAsync(CancellationToken cancellationToken)
        {
            var line = new List<byte>();
            var one = new byte[1];
            while (true)
            {
                if (await stream.ReadAsync(one, cancellationToken) == 0)
                {
                    throw new IOException("The server closed the connection.");
                }

                if (one[0] == '\n')
                {
                    return Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                }

                line.Add(one[0]);
            }
        }

        public async Task<byte[]> BytesAsync(int count, CancellationToken cancellationToken)
        {
            var bytes = new byte[count];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
            return bytes;
        }
    }
}
