namespace Fathom.Auth;

/// <summary>Declares an <see cref="AuthHook"/> on a route where it is mapped.</summary>
internal static class AuthHookExtensions
{
    public static IEndpointConventionBuilder WithAuthHook(this IEndpointConventionBuilder builder, AuthHook hook) =>
        builder.WithMetadata(new AuthHookMetadata(hook));
}
