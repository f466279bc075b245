using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Fathom.Auth;

/// <summary>
/// Remembers recently verified credentials for a short time. Clients send Basic credentials with every request
/// and a slow password hash costs ~0.3 s, so verifying each request would cap a server at a few requests per
/// second per core. The cache key is an HMAC of the credentials under a key made at start-up and never stored, so
/// the server's memory holds nothing a password could be guessed against offline.
/// </summary>
internal sealed class CredentialCache(TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (AuthUser User, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public AuthUser? Get(string username, string password)
    {
        var key = Key(username, password);
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow())
        {
            return entry.User;
        }

        _entries.TryRemove(key, out _);
        return null;
    }

    public void Add(string username, string password, AuthUser user)
    {
        if (_entries.Count > 10_000)
        {
            _entries.Clear(); // bounded: a flood of distinct credentials cannot grow memory
        }

        _entries[Key(username, password)] = (user, time.GetUtcNow() + Lifetime);
    }

    /// <summary>Forgets everything: after a password, admin flag or user changes.</summary>
    public void Clear() => _entries.Clear();

    private string Key(string username, string password) =>
        Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(username + "\0" + password)));
}
