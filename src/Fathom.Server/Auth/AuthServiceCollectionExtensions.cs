namespace Fathom.Auth;

/// <summary>Wires basic-auth into a tracking-server host.</summary>
internal static class AuthServiceCollectionExtensions
{
    /// <summary>Registers the auth store (creating the admin user if missing) and the credential cache.</summary>
    public static IServiceCollection AddMlflowAuth(this IServiceCollection services, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var store = SqliteAuthStore.Open(options.DatabasePath, options.HashIterations);
        if (options.Enabled && options.AdminPassword is not null
            && store.GetUserAsync(options.AdminUsername, CancellationToken.None).GetAwaiter().GetResult() is null)
        {
            store.CreateUserAsync(options.AdminUsername, options.AdminPassword, isAdmin: true, CancellationToken.None).GetAwaiter().GetResult();
        }

        services.AddSingleton(options);
        services.AddSingleton<IAuthStore>(store);
        services.AddSingleton(sp => new CredentialCache(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton(sp => new SignInThrottle(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<BasicSignIn>();
        services.AddSingleton<Authorizer>();
        return services;
    }
}
