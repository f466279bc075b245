namespace Fathom.Auth;

/// <summary>What a request needs on a resource (MLflow's can_read / can_update / can_delete / can_manage).</summary>
public enum Access
{
    /// <summary>Any authenticated user may do it.</summary>
    Any,

    /// <summary>Read the resource.</summary>
    Read,

    /// <summary>Change the resource.</summary>
    Update,

    /// <summary>Delete or restore the resource.</summary>
    Delete,

    /// <summary>Manage who may access the resource.</summary>
    Manage,
}
