using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Fathom.Auth;
using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Fathom.Server.Tests.Security;

/// <summary>
/// <c>fathom server --auth</c> on loopback with an administrator, for tests that act as its users: HttpClients for the
/// well-behaved calls, <see cref="RawHttp"/> for the hostile ones.
/// </summary>
internal sealed class AuthServer : IAsyncDisposable
{
    public const string AdminPassword = "admin-password-1234";

    private readonly string _folder;

    private AuthServer(WebApplication app, string folder)
    {
        App = app;
        _folder = folder;
        Base = new Uri(app.Urls.First());
    }

    public WebApplication App { get; }

    public Uri Base { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Base.Port);

    public string ArtifactsFolder => Path.Combine(_folder, "artifacts");

    public static async Task<AuthServer> StartAsync(AccessLevel defaultPermission, int hashIterations = 1000, ILoggerProvider? logs = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "fathom-auth-" + Guid.NewGuid().ToString("N"));
        var options = new TrackingServerOptions
        {
            Port = 0,
            Store = StoreLocation.Parse(folder, "/"),
            ArtifactsDestination = Path.Combine(folder, "artifacts"),
            Auth = new AuthOptions
            {
                Enabled = true,
                DatabasePath = Path.Combine(folder, "basic_auth.db"),
                AdminPassword = AdminPassword,
                HashIterations = hashIterations,
                DefaultPermission = defaultPermission,
            },
        };
        var app = TrackingServerHost.Build(options, logs is null ? null : logging => logging.AddProvider(logs));
        await app.StartAsync();
        return new AuthServer(app, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    public HttpClient As(string user, string password)
    {
        var http = new HttpClient { BaseAddress = Base };
        http.DefaultRequestHeaders.Authorization = Basic(user, password);
        return http;
    }

    public HttpClient Admin() => As("admin", AdminPassword);

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static string PasswordOf(string user) => user + "-password-1";

    /// <summary>Creates a user (as the administrator) and returns a client signed in as them.</summary>
    public async Task<HttpClient> UserAsync(string name)
    {
        using var admin = Admin();
        await OkAsync(admin, HttpMethod.Post, "/api/2.0/mlflow/users/create", new { username = name, password = PasswordOf(name) });
        return As(name, PasswordOf(name));
    }

    public static async Task<JsonElement> OkAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        var (status, text) = await SendAsync(http, method, path, body);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {status} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
