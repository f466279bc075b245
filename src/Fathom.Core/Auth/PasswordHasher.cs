using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Fathom.Auth;

/// <summary>
/// Salted, deliberately slow password hashes in Werkzeug's text format (<c>pbkdf2:sha256:600000$salt$hex</c>), the
/// format MLflow's basic-auth database stores, so users can be carried over from an MLflow server.
/// </summary>
internal static class PasswordHasher
{
    // OWASP's 2023 figure for PBKDF2-HMAC-SHA256, and Werkzeug's default.
    public const int Iterations = 600_000;
    private const string SaltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string Hash(string password, int iterations = Iterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetString(SaltAlphabet, 16);
        return $"pbkdf2:sha256:{iterations.ToString(CultureInfo.InvariantCulture)}${salt}${Derive(password, salt, iterations, 32)}";
    }

    /// <summary>True when <paramref name="password"/> matches; false for a wrong password or an unknown hash method.</summary>
    public static bool Verify(string password, string stored)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(stored);
        var parts = stored.Split('$');
        if (parts.Length != 3)
        {
            return false;
        }

        var method = parts[0].Split(':');
        if (method.Length < 2 || method[0] != "pbkdf2" || method[1] != "sha256")
        {
            return false; // e.g. Werkzeug's scrypt hashes: .NET has no scrypt; such users must reset their password
        }

        var iterations = method.Length > 2 && int.TryParse(method[2], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 260_000;
        var expected = parts[2];
        var actual = Derive(password, parts[1], iterations, expected.Length / 2);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(expected));
    }

    private static string Derive(string password, string salt, int iterations, int length) =>
        Convert.ToHexStringLower(Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(salt), iterations, HashAlgorithmName.SHA256, length));
}
