namespace Fathom.Tracking;

/// <summary>Hides the password of a URI (<c>postgresql://user:***@host/db</c>) before it is printed or stored.</summary>
internal static class UriRedaction
{
    public static string Redact(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.UserInfo.Contains(':', StringComparison.Ordinal)
            ? uri.Replace(parsed.UserInfo, parsed.UserInfo[..parsed.UserInfo.IndexOf(':', StringComparison.Ordinal)] + ":***", StringComparison.Ordinal)
            : uri;
}
