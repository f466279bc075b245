using System.Net.Http.Headers;
using System.Text;

namespace Fathom.Auth;

/// <summary>
/// HTTP Basic sign-in: credentials from the Authorization header, checked against the auth store at a cost that does
/// not depend on whether the user exists, remembered briefly once right (<see cref="CredentialCache"/>), and throttled
/// after repeated failures (<see cref="SignInThrottle"/>). Every verification is logged, right or wrong.
/// </summary>
internal sealed partial class BasicSignIn(IAuthStore auth, CredentialCache cache, SignInThrottle throttle, ILogger<BasicSignIn> logger)
{
    /// <summary>The outcome: the user, or why there is none (and, when throttled, how long to wait).</summary>
    public readonly record struct Outcome(AuthUser? User, TimeSpan? RetryAfter);

    public async Task<Outcome> SignInAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Credentials(context.Request) is not var (username, password))
        {
            return default;
        }

        if (cache.Get(username, password) is { } cached)
        {
            return new Outcome(cached, null);
        }

        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.RetryAfter(client, username) is { } wait)
        {
            LogThrottled(logger, username, client, (int)Math.Ceiling(wait.TotalSeconds));
            return new Outcome(null, wait);
        }

        var user = await auth.AuthenticateAsync(username, password, context.RequestAborted);
        if (user is null)
        {
            throttle.Failed(client, username);
            LogFailed(logger, username, client);
            return default;
        }

        throttle.Succeeded(client, username);
        cache.Add(username, password, user);
        LogSignedIn(logger, username, client);
        return new Outcome(user, null);
    }

    private static (string Username, string Password)? Credentials(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null; // not base64, or not UTF-8: no credentials at all
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed in {Username} from {Client}")]
    private static partial void LogSignedIn(ILogger logger, string username, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed sign-in as {Username} from {Client}")]
    private static partial void LogFailed(ILogger logger, string username, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in as {Username} from {Client} refused unchecked after repeated failures; retry in {Seconds} s")]
    private static partial void LogThrottled(ILogger logger, string username, string client, int seconds);
}
