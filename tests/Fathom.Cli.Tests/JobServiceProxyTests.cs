using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Fathom.Cli.Tests;

/// <summary>
/// Services run by <c>fathom server</c> and reached through its proxy at <c>/services/&lt;uuid&gt;/…</c>, as a browser
/// reaches a notebook: each service here is a real process (a python TCP relay the server starts on the port it chose,
/// read from <c>{{ globals.ports[0] }}</c> or <c>$FATHOM_SERVICE_PORT</c>) in front of a small HTTP and WebSocket app
/// the test runs, so what arrives at the service can be checked.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class JobServiceProxyTests : IAsyncLifetime, IDisposable
{
    // Relays every connection on the port given (argv[1], else $FATHOM_SERVICE_PORT) to the test's app (argv[2]).
    private const string Relay = """
        import asyncio, os, sys
        async def pipe(reader, writer):
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
            except Exception:
                pass
            finally:
                writer.close()
        async def handle(client_reader, client_writer):
            up_reader, up_writer = await asyncio.open_connection('127.0.0.1', int(sys.argv[2]))
            await asyncio.gather(pipe(client_reader, up_writer), pipe(up_reader, client_writer))
        async def main():
            port = int(sys.argv[1]) if sys.argv[1] else int(os.environ['FATHOM_SERVICE_PORT'])
            server = await asyncio.start_server(handle, '127.0.0.1', port)
            async with server:
                await server.serve_forever()
        asyncio.run(main())
        """;

    private readonly JobServerSteps _steps = new();
    private WebApplication _upstream = null!;
    private int _upstreamPort;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = null);
        _upstream = builder.Build();
        _upstream.UseWebSockets();
        _upstream.Map("/{**path}", EchoAsync);
        await _upstream.StartAsync();
        _upstreamPort = new Uri(_upstream.Urls.First()).Port;
        await _steps.StartAsync();
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    public void Dispose() => _steps.Dispose();

    private static async Task EchoAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        }

        if (context.Request.Path == "/stream")
        {
            await context.Response.WriteAsync("first\n");
            await context.Response.Body.FlushAsync();
            await Task.Delay(1500);
            await context.Response.WriteAsync("second\n");
            return;
        }

        if (HttpMethods.IsPost(context.Request.Method))
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            long total = 0;
            for (int read; (read = await context.Request.Body.ReadAsync(buffer)) > 0; total += read)
            {
                sha.AppendData(buffer, 0, read);
            }

            await context.Response.WriteAsync($"{total} {Convert.ToHexStringLower(sha.GetHashAndReset())}");
            return;
        }

        var headers = context.Request.Headers;
        await context.Response.WriteAsync($"path={context.Request.Path}{context.Request.QueryString} prefix={headers["X-Forwarded-Prefix"]} authorization={headers.Authorization.Count} hop={headers["X-Hop"]}");
    }

    private string Service(string name, bool rewritePath, string portArg) => _steps.ComponentRaw(name, $$$"""
        version: 1.1
        kind: component
        name: {{{name}}}
        run:
          kind: service
          ports: [8888]
          rewritePath: {{{(rewritePath ? "true" : "false")}}}
          container:
            image: python:3.12
            command: [python3, -c]
            args:
              - |
        {{{string.Join('\n', Relay.Split('\n').Select(l => "        " + l))}}}
              - "{{{portArg}}}"
              - "{{{_upstreamPort}}}"
        """);

    private async Task<string> ReachableAsync(string uuid, string path)
    {
        await _steps.WaitForAsync(uuid, "running");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await _steps.Http.GetAsync($"/services/{uuid}/{path}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadAsStringAsync();
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the service of {uuid} never answered: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Service_ThroughTheProxy_PathsHeadersStreamingUploadAndWebSocket()
    {
        var rewrite = await _steps.SubmitAsync("svc", Service("rewrite", rewritePath: true, "{{ globals.ports[0] }}"));
        var full = await _steps.SubmitAsync("svc", Service("full", rewritePath: false, ""));

        // rewritePath strips /services/<uuid>; the caller's credentials and the hop-by-hop headers stop at the proxy.
        Assert.Equal($"path=/hello?x=1&y=%C3%A9 prefix=/services/{rewrite} authorization=0 hop=", await ReachableAsync(rewrite, "hello?x=1&y=%C3%A9"));
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/services/{rewrite}/hop"))
        {
            request.Headers.Connection.Add("X-Hop");
            request.Headers.Add("X-Hop", "secret");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "token");
            using var response = await _steps.Http.SendAsync(request);
            Assert.Equal($"path=/hop prefix=/services/{rewrite} authorization=0 hop=", await response.Content.ReadAsStringAsync());
        }

        // Without rewritePath the whole path goes on, as a service serving under globals.base_url expects.
        Assert.Equal($"path=/services/{full}/a/b prefix= authorization=0 hop=", await ReachableAsync(full, "a/b"));

        // A streamed answer arrives as the service writes it, not once it has ended.
        using (var response = await _steps.Http.GetAsync($"/services/{rewrite}/stream", HttpCompletionOption.ResponseHeadersRead))
        {
            var clock = Stopwatch.StartNew();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.Equal("first", await reader.ReadLineAsync());
            var first = clock.Elapsed;
            Assert.Equal("second", await reader.ReadLineAsync());
            Assert.True(first < TimeSpan.FromMilliseconds(1000) && clock.Elapsed > TimeSpan.FromMilliseconds(1000), $"first line after {first}, second after {clock.Elapsed}");
        }

        // 64 MiB up, streamed (over the server's 30 MB request limit, which the proxy lifts for services).
        var chunk = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i % 251)).ToArray();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < 64; i++)
        {
            hash.AppendData(chunk);
        }

        using (var upload = new StreamContent(new RepeatingStream(chunk, 64)))
        {
            using var response = await _steps.Http.PostAsync($"/services/{rewrite}/upload", upload);
            Assert.Equal($"{64L << 20} {Convert.ToHexStringLower(hash.GetHashAndReset())}", await response.Content.ReadAsStringAsync());
        }

        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{new Uri(_steps.Url).Port}/services/{rewrite}/ws"), CancellationToken.None);
            await socket.SendAsync(Encoding.UTF8.GetBytes("ping through the proxy"), WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[100];
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal("ping through the proxy", Encoding.UTF8.GetString(buffer, 0, received.Count));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        }

        var url = await _steps.FathomAsync("ops", "service", rewrite[..8]);
        Assert.Equal($"{_steps.Url}/services/{rewrite}/\n", url.Stdout);

        // Once the service is stopped, the proxy says so (502) instead of hanging or answering for another process.
        Assert.Equal(0, (await _steps.FathomAsync("ops", "stop", full)).ExitCode);
        await _steps.WaitForAsync(full, "stopped");
        using (var response = await _steps.Http.GetAsync($"/services/{full}/a"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains($"The service of run {full} is not running (status stopped)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Service_NotListening_502NamesTheRunAndPort_AndAJobIsNoService()
    {
        var silent = await _steps.SubmitAsync("svc", _steps.ComponentRaw("silent", """
            version: 1.1
            kind: component
            name: silent
            run: {kind: service, ports: [8080], container: {image: busybox, command: [sleep, "600"]}}
            """));
        await _steps.WaitForAsync(silent, "running");
        using (var response = await _steps.Http.GetAsync($"/services/{silent}/"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains($"The service of run {silent} did not answer on 127.0.0.1:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var job = await _steps.SubmitAsync("svc", _steps.Component("job", "echo hi"));
        using (var response = await _steps.Http.GetAsync($"/services/{job}/"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var notService = await _steps.FathomAsync("ops", "service", job);
        Assert.Equal(2, notService.ExitCode);
        Assert.Contains($"run {job} is a job, not a service", notService.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A body of <c>count</c> copies of <c>chunk</c>, produced as it is read (never held whole).</summary>
    private sealed class RepeatingStream(byte[] chunk, int count) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => (long)chunk.Length * count;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int length)
        {
            var left = Length - _position;
            var n = (int)Math.Min(Math.Min(length, left), chunk.Length - (_position % chunk.Length));
            Array.Copy(chunk, _position % chunk.Length, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
