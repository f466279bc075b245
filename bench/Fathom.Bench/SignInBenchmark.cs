using System.Diagnostics;
using System.Globalization;
using Fathom.Auth;

namespace Fathom.Bench;

/// <summary>
/// <c>signin [--rounds 21] [--iterations 600000]</c>: how long a failed sign-in takes for a user name that exists
/// (wrong password) and for one that does not, interleaved, at the production hash cost: the two medians must lie within
/// 10% of each other, or the time of an answer tells an attacker which names exist.
/// </summary>
internal static class SignInBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = int.Parse(BenchSupport.Option(args, "--rounds") ?? "21", CultureInfo.InvariantCulture);
        var iterations = int.Parse(BenchSupport.Option(args, "--iterations") ?? PasswordHasher.Iterations.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var folder = Path.Combine(Path.GetTempPath(), "fathom-signin-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = SqliteAuthStore.Open(Path.Combine(folder, "basic_auth.db"), iterations);
            await store.CreateUserAsync("known", "known-password-1", false, CancellationToken.None);
            // One of each first: the unknown-user hash is made on first use, and the JIT settles.
            await store.AuthenticateAsync("known", "wrong", CancellationToken.None);
            await store.AuthenticateAsync("unknown", "wrong", CancellationToken.None);
            var (known, unknown) = (new List<double>(), new List<double>());
            for (var i = 0; i < rounds; i++)
            {
                known.Add(await TimeAsync(() => store.AuthenticateAsync("known", "wrong-password", CancellationToken.None)));
                unknown.Add(await TimeAsync(() => store.AuthenticateAsync($"unknown-{i}", "wrong-password", CancellationToken.None)));
            }

            var (k, u) = (Median(known), Median(unknown));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"failed sign-in, {iterations:N0} PBKDF2 iterations, {rounds} rounds interleaved: known user {k:F1} ms, unknown user {u:F1} ms (median); difference {Math.Abs(u - k) / k:P1} (target under 10%); load {BenchSupport.LoadAverage()}"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> TimeAsync(Func<Task<AuthUser?>> signIn)
    {
        var started = Stopwatch.GetTimestamp();
        if (await signIn() is not null)
        {
            throw new InvalidOperationException("a wrong password signed in");
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
