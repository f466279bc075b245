namespace Fathom.Auth;

/// <summary>What a request needs: an access level on a resource.</summary>
internal sealed record AuthRequirement(AuthResource Resource, Access Access)
{
    public static readonly AuthRequirement AnyUser = new(AuthResource.None, Access.Any);
}
