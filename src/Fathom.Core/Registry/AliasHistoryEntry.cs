namespace Fathom.Registry;

/// <summary>
/// One move of a model's pointer, kept forever beside the registry (MLflow keeps none: mlflow#2169): an alias set,
/// deleted or rolled back, or a version transitioned into a stage. <see cref="Kind"/> says which pointer
/// (<c>alias</c> or <c>stage</c>), <see cref="Target"/> its name (<c>champion</c>, <c>Production</c>).
/// <see cref="FromVersion"/> is where it pointed before (null: it did not exist; for a stage, the newest version
/// that was in it), <see cref="ToVersion"/> where it points after (null: deleted). <see cref="User"/> is who moved it:
/// the signed-in user on a server with auth, the OS user for a local store, null when nobody is known.
/// </summary>
internal sealed record AliasHistoryEntry(
    long Id, string Name, string Kind, string Target, string Action, long? FromVersion, long? ToVersion, string? User, long Timestamp)
{
    public const string AliasKind = "alias";
    public const string StageKind = "stage";

    public const string SetAction = "set";
    public const string DeleteAction = "delete";
    public const string RollbackAction = "rollback";
    public const string TransitionAction = "transition";
}
