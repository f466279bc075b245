namespace Fathom.Auth;

/// <summary>MLflow basic-auth's permission levels; each grants a fixed set of abilities.</summary>
public sealed record AccessLevel(string Name, bool CanRead, bool CanUpdate, bool CanDelete, bool CanManage)
{
    public static readonly AccessLevel Read = new("READ", true, false, false, false);
    public static readonly AccessLevel Edit = new("EDIT", true, true, false, false);
    public static readonly AccessLevel Manage = new("MANAGE", true, true, true, true);
    public static readonly AccessLevel None = new("NO_PERMISSIONS", false, false, false, false);

    /// <summary>All levels, in MLflow's order.</summary>
    public static IReadOnlyList<AccessLevel> All { get; } = [Read, Edit, Manage, None];

    /// <summary>The level with this name; throws with MLflow's message when there is none.</summary>
    public static AccessLevel Parse(string? name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new Tracking.TrackingException(Tracking.ErrorCode.InvalidParameterValue,
            $"Invalid permission '{name}'. Valid permissions are: ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')");

    /// <summary>True when this level grants what <paramref name="need"/> asks for.</summary>
    public bool Allows(Access need) => need switch
    {
        Access.Read => CanRead,
        Access.Update => CanUpdate,
        Access.Delete => CanDelete,
        Access.Manage => CanManage,
        _ => true,
    };
}
