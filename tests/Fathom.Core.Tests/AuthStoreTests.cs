using Fathom.Auth;
using Fathom.Tracking;

namespace Fathom.Tests;

public sealed class AuthStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SqliteAuthStore _store;

    public AuthStoreTests() => _store = SqliteAuthStore.Open(_dir.Combine("basic_auth.db"), iterations: 1000);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void PasswordHasher_WerkzeugPbkdf2Hash_Verifies()
    {
        // Werkzeug's format: pbkdf2:sha256:<iterations>$<salt>$<hex of PBKDF2-HMAC-SHA256(password, salt)>.
        const string stored = "pbkdf2:sha256:1000$AbCdEfGh12345678$EXPECTED";
        Assert.True(PasswordHasher.Verify("password1234", stored.Replace("EXPECTED", Expected, StringComparison.Ordinal)));
        Assert.False(PasswordHasher.Verify("password1235", stored.Replace("EXPECTED", Expected, StringComparison.Ordinal)));
        Assert.False(PasswordHasher.Verify("password1234", "scrypt:32768:8:1$salt$abcd"));
    }

    // The sign-in time must not tell whether a user exists: an unknown name is checked against a hash of the same cost.
    // Timed, but with a margin of 3x against a difference (before the fix) of about 200x.
    [Fact]
    public async Task Authenticate_UnknownUser_CostsAsMuchAsAWrongPassword()
    {
        using var dir = new TempDirectory();
        var store = SqliteAuthStore.Open(dir.Combine("slow.db"), iterations: 100_000);
        await store.CreateUserAsync("known", "known-password-1", false, default);
        await store.AuthenticateAsync("warm-up", "x", default);

        var known = await MedianMillisecondsAsync(() => store.AuthenticateAsync("known", "wrong-password", default));
        var unknown = await MedianMillisecondsAsync(() => store.AuthenticateAsync("nobody", "wrong-password", default));

        Assert.InRange(unknown / known, 1 / 3.0, 3.0);
    }

    private static async Task<double> MedianMillisecondsAsync(Func<Task<AuthUser?>> signIn)
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            Assert.Null(await signIn());
            times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return times.Order().ElementAt(2);
    }

    [Fact]
    public void PasswordHasher_Hash_IsSaltedAndVerifies()
    {
        var a = PasswordHasher.Hash("correct horse battery", 1000);
        var b = PasswordHasher.Hash("correct horse battery", 1000);

        Assert.NotEqual(a, b);
        Assert.StartsWith("pbkdf2:sha256:1000$", a, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("correct horse battery", a));
        Assert.DoesNotContain("correct horse battery", a, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateUser_ShortPassword_IsRefusedLikeMlflow()
    {
        var error = await Assert.ThrowsAsync<TrackingException>(() => _store.CreateUserAsync("alice", "short", false, default));
        Assert.Equal("Password must be a string longer than 12 characters.", error.Message);
    }

    [Fact]
    public async Task Authenticate_RightAndWrongPassword()
    {
        await _store.CreateUserAsync("alice", "alice-password-1", false, default);

        Assert.Equal("alice", (await _store.AuthenticateAsync("alice", "alice-password-1", default))?.Username);
        Assert.Null(await _store.AuthenticateAsync("alice", "alice-password-2", default));
        Assert.Null(await _store.AuthenticateAsync("bob", "alice-password-1", default));
    }

    [Fact]
    public async Task CreateUser_Twice_IsAlreadyExists()
    {
        await _store.CreateUserAsync("alice", "alice-password-1", false, default);
        var error = await Assert.ThrowsAsync<TrackingException>(() => _store.CreateUserAsync("alice", "alice-password-1", false, default));
        Assert.Equal(ErrorCode.ResourceAlreadyExists, error.Code);
    }

    [Fact]
    public async Task ExperimentPermissions_Crud()
    {
        var alice = await _store.CreateUserAsync("alice", "alice-password-1", false, default);

        await _store.CreateExperimentPermissionAsync("7", "alice", AccessLevel.Edit, default);
        var duplicate = await Assert.ThrowsAsync<TrackingException>(() => _store.CreateExperimentPermissionAsync("7", "alice", AccessLevel.Read, default));
        await _store.UpdateExperimentPermissionAsync("7", "alice", AccessLevel.Manage, default);
        var updated = await _store.GetExperimentPermissionAsync("7", "alice", default);
        await _store.DeleteExperimentPermissionAsync("7", "alice", default);
        var missing = await Assert.ThrowsAsync<TrackingException>(() => _store.DeleteExperimentPermissionAsync("7", "alice", default));

        Assert.Equal(ErrorCode.ResourceAlreadyExists, duplicate.Code);
        Assert.Equal(new ExperimentGrant("7", alice.Id, AccessLevel.Manage), updated);
        Assert.Null(await _store.GetExperimentPermissionAsync("7", "alice", default));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);
    }

    [Fact]
    public async Task RegisteredModelPermissions_FollowRename()
    {
        await _store.CreateUserAsync("alice", "alice-password-1", false, default);
        await _store.CreateRegisteredModelPermissionAsync("sentiment", "alice", AccessLevel.Manage, default);

        await _store.RenameRegisteredModelPermissionsAsync("sentiment", "sentiment-v2", default);

        Assert.Null(await _store.GetRegisteredModelPermissionAsync("sentiment", "alice", default));
        Assert.Equal(AccessLevel.Manage, (await _store.GetRegisteredModelPermissionAsync("sentiment-v2", "alice", default))?.Permission);
    }

    [Fact]
    public async Task DeleteUser_RemovesTheirGrants()
    {
        var alice = await _store.CreateUserAsync("alice", "alice-password-1", false, default);
        await _store.CreateExperimentPermissionAsync("1", "alice", AccessLevel.Read, default);

        await _store.DeleteUserAsync("alice", default);

        Assert.Null(await _store.GetUserAsync("alice", default));
        Assert.Empty(await _store.ListExperimentPermissionsAsync(alice.Id, default));
    }

    [Theory]
    [InlineData("READ", true, false, false, false)]
    [InlineData("EDIT", true, true, false, false)]
    [InlineData("MANAGE", true, true, true, true)]
    [InlineData("NO_PERMISSIONS", false, false, false, false)]
    public void AccessLevel_Grants_MatchMlflowTable(string name, bool read, bool update, bool delete, bool manage)
    {
        var level = AccessLevel.Parse(name);
        Assert.Equal((read, update, delete, manage), (level.Allows(Access.Read), level.Allows(Access.Update), level.Allows(Access.Delete), level.Allows(Access.Manage)));
    }

    [Fact]
    public void AccessLevel_UnknownName_ListsValidOnes()
    {
        var error = Assert.Throws<TrackingException>(() => AccessLevel.Parse("ADMIN"));
        Assert.Equal("Invalid permission 'ADMIN'. Valid permissions are: ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')", error.Message);
    }

    // Computed independently with Python: hashlib.pbkdf2_hmac("sha256", b"password1234", b"AbCdEfGh12345678", 1000).hex()
    private const string Expected = "e6db2a2c57b7fde26b2e6ef67ad34f1f8af7ead9b5658340ea6d9b0a54f95797";
}
