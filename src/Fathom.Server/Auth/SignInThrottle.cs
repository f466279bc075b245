using System.Collections.Concurrent;

namespace Fathom.Auth;

/// <summary>
/// Failed sign-ins counted per client address and per user name. After <see cref="FailureLimit"/> failures in a row
/// (with no success between, and none more than <see cref="Window"/> apart), further attempts are refused unchecked
/// for a back-off that doubles with each failure past the limit, from 30 s up to 15 minutes. A success clears both
/// counts. Credentials already verified (the credential cache) are never throttled, so guessing at a user's password
/// slows the guesser, not a client that holds the right one.
/// </summary>
internal sealed class SignInThrottle(TimeProvider time)
{
    public const int FailureLimit = 20;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongestBackOff = TimeSpan.FromMinutes(15);

    // Bounded: a flood of distinct names or addresses cannot grow memory without end.
    private const int MaxKeys = 100_000;

    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);

    /// <summary>How long the client must wait before its next attempt is checked, or null when it may try now.</summary>
    public TimeSpan? RetryAfter(string client, string username)
    {
        var now = time.GetUtcNow();
        var wait = TimeSpan.Zero;
        foreach (var key in Keys(client, username))
        {
            if (_failures.TryGetValue(key, out var failures) && failures.BlockedUntil > now)
            {
                wait = TimeSpan.FromTicks(Math.Max(wait.Ticks, (failures.BlockedUntil - now).Ticks));
            }
        }

        return wait > TimeSpan.Zero ? wait : null;
    }

    public void Failed(string client, string username)
    {
        var now = time.GetUtcNow();
        if (_failures.Count >= MaxKeys)
        {
            Prune(now);
        }

        foreach (var key in Keys(client, username))
        {
            _failures.AddOrUpdate(key, _ => Next(new Failures(0, now, now), now), (_, previous) => Next(previous, now));
        }
    }

    public void Succeeded(string client, string username)
    {
        foreach (var key in Keys(client, username))
        {
            _failures.TryRemove(key, out _);
        }
    }

    private static Failures Next(Failures previous, DateTimeOffset now)
    {
        var count = now - previous.Last > Window ? 1 : previous.Count + 1;
        var blockedUntil = previous.BlockedUntil;
        if (count >= FailureLimit)
        {
            var doublings = Math.Min(count - FailureLimit, 10);
            var backOff = TimeSpan.FromTicks(Math.Min(FirstBackOff.Ticks << doublings, LongestBackOff.Ticks));
            blockedUntil = now + backOff;
        }

        return new Failures(count, now, blockedUntil);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, failures) in _failures)
        {
            if (now - failures.Last > Window && failures.BlockedUntil <= now)
            {
                _failures.TryRemove(key, out _);
            }
        }

        if (_failures.Count >= MaxKeys)
        {
            _failures.Clear(); // every key is fresh: a flood; forgetting is better than running out of memory
        }
    }

    private static string[] Keys(string client, string username) => ["client\0" + client, "user\0" + username];

    private sealed record Failures(int Count, DateTimeOffset Last, DateTimeOffset BlockedUntil);
}
