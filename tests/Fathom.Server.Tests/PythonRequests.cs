using System.Globalization;
using System.Text;

namespace Fathom.Server.Tests;

/// <summary>
/// How MLflow's Python client (through <c>requests</c>) spells a URL it builds from a file name: <c>requote_uri</c>
/// keeps valid escapes and decodes the unreserved ones, unless a <c>%</c> starts no valid escape (<c>%st</c>), when it
/// quotes every <c>%</c> as <c>%25</c>. Tests send names the way the real client would, so the server sees what it sees.
/// </summary>
internal static class PythonRequests
{
    private const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    /// <summary>requests.utils.requote_uri of a path.</summary>
    public static string Requote(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return UnquoteUnreserved(path) is { } unquoted ? Quote(unquoted, "!#$%&'()*+,/:;=?@[]~") : Quote(path, "!#$&'()*+,/:;=?@[]~");
    }

    // Null where a '%' is followed by two letters or digits that are no hex number (requests raises InvalidURL there).
    private static string? UnquoteUnreserved(string path)
    {
        var parts = path.Split('%');
        var result = new StringBuilder(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            var h = part.Length >= 2 ? part[..2] : part;
            if (h.Length == 2 && h.All(char.IsAsciiLetterOrDigit))
            {
                if (!int.TryParse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                {
                    return null;
                }

                var c = (char)code;
                result.Append(Unreserved.Contains(c, StringComparison.Ordinal) ? c + part[2..] : "%" + part);
            }
            else
            {
                result.Append('%').Append(part);
            }
        }

        return result.ToString();
    }

    private static string Quote(string text, string safe)
    {
        var result = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            result.Append(b < 128 && (Unreserved.Contains(c, StringComparison.Ordinal) || safe.Contains(c, StringComparison.Ordinal)) ? c : $"%{b:X2}");
        }

        return result.ToString();
    }
}
