namespace Fathom.Tracking;

/// <summary>MLflow's lifecycle stages, which are plain strings on the wire.</summary>
public static class LifecycleStage
{
    /// <summary>Visible in default searches.</summary>
    public const string Active = "active";

    /// <summary>Soft-deleted: kept until garbage collection, restorable.</summary>
    public const string Deleted = "deleted";
}
