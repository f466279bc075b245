using System.Net;
using Fathom.Auth;
using Microsoft.Extensions.Logging;

namespace Fathom.Server.Tests.Security;

/// <summary>Sign-in to <c>fathom server --auth</c>: guessing is throttled, a holder of the right password is not, and every verification is logged.</summary>
public sealed class SignInTests
{
    [Fact]
    public async Task TwentyFailedSignIns_ThrottleTheNext_With429AndRetryAfter_EvenWithTheRightPassword()
    {
        await using var server = await AuthServer.StartAsync(AccessLevel.Read);
        (await server.UserAsync("carol")).Dispose();
        using var guesser = server.As("carol", "not-her-password");

        var failures = new List<HttpStatusCode>();
        for (var i = 0; i < SignInThrottle.FailureLimit; i++)
        {
            using var response = await guesser.GetAsync("/api/2.0/mlflow/experiments/search?max_results=1");
            failures.Add(response.StatusCode);
        }

        using var throttled = await guesser.GetAsync("/api/2.0/mlflow/experiments/search?max_results=1");
        using var rightPassword = server.As("carol", AuthServer.PasswordOf("carol"));
        using var stillThrottled = await rightPassword.GetAsync("/api/2.0/mlflow/experiments/search?max_results=1");

        Assert.All(failures, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
        Assert.InRange(int.Parse(throttled.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 900);
        Assert.Contains("REQUEST_LIMIT_EXCEEDED", await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode)429, stillThrottled.StatusCode);
    }

    [Fact]
    public async Task Throttle_LeavesAClientThatAlreadySignedIn_Working()
    {
        await using var server = await AuthServer.StartAsync(AccessLevel.Read);
        using var carol = await server.UserAsync("carol");
        using var before = await carol.GetAsync("/api/2.0/mlflow/experiments/search?max_results=1");
        using var guesser = server.As("carol", "not-her-password");
        for (var i = 0; i <= SignInThrottle.FailureLimit; i++)
        {
            (await guesser.GetAsync("/api/2.0/mlflow/experiments/search?max_results=1")).Dispose();
        }

        using var after = await carol.GetAsync("/api/2.0/mlflow/experiments/search?max_results=1");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task OneClientGuessingManyNames_IsThrottledToo()
    {
        await using var server = await AuthServer.StartAsync(AccessLevel.Read);
        for (var i = 0; i < SignInThrottle.FailureLimit; i++)
        {
            using var guess = server.As($"name-{i}", "guess");
            (await guess.GetAsync("/version")).Dispose();
        }

        using var next = server.As("yet-another-name", "guess");
        using var response = await next.GetAsync("/version");

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
    }

    [Fact]
    public async Task SignIns_RightAndWrong_AreLogged()
    {
        var logs = new RecordingLoggerProvider();
        await using var server = await AuthServer.StartAsync(AccessLevel.Read, logs: logs);
        using var dave = await server.UserAsync("dave");
        (await dave.GetAsync("/version")).Dispose();
        using var wrong = server.As("dave", "wrong");
        (await wrong.GetAsync("/version")).Dispose();

        Assert.Contains(logs.Logger.Messages, m => m.StartsWith("Signed in dave from ", StringComparison.Ordinal));
        Assert.Contains(logs.Logger.Messages, m => m.StartsWith("Failed sign-in as dave from ", StringComparison.Ordinal));
    }

    [Fact]
    public void Throttle_BacksOffLongerWithEachFailurePastTheLimit_AndForgetsAfterASuccess()
    {
        var clock = new ManualClock();
        var throttle = new SignInThrottle(clock);
        for (var i = 0; i < SignInThrottle.FailureLimit - 1; i++)
        {
            throttle.Failed("10.0.0.1", "erin");
        }

        var beforeLimit = throttle.RetryAfter("10.0.0.1", "erin");
        throttle.Failed("10.0.0.1", "erin");
        var first = throttle.RetryAfter("10.0.0.1", "erin");
        clock.Advance(first!.Value);
        throttle.Failed("10.0.0.1", "erin");
        var second = throttle.RetryAfter("10.0.0.1", "erin");
        var otherClient = throttle.RetryAfter("10.0.0.2", "frank");
        throttle.Succeeded("10.0.0.1", "erin");

        Assert.Null(beforeLimit);
        Assert.Equal(TimeSpan.FromSeconds(30), first);
        Assert.Equal(TimeSpan.FromSeconds(60), second);
        Assert.Null(otherClient);
        Assert.Null(throttle.RetryAfter("10.0.0.1", "erin"));
    }

    [Fact]
    public void Throttle_FailuresFurtherApartThanTheWindow_StartCountingAgain()
    {
        var clock = new ManualClock();
        var throttle = new SignInThrottle(clock);
        for (var i = 0; i < SignInThrottle.FailureLimit * 2; i++)
        {
            throttle.Failed("10.0.0.1", "erin");
            clock.Advance(SignInThrottle.Window + TimeSpan.FromSeconds(1));
        }

        Assert.Null(throttle.RetryAfter("10.0.0.1", "erin"));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public RecordingLogger Logger { get; } = new();

        public ILogger CreateLogger(string categoryName) => Logger;

        public void Dispose()
        {
        }
    }
}
