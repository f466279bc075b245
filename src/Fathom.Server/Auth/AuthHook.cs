namespace Fathom.Auth;

/// <summary>
/// What basic-auth does around a route besides checking it, declared as endpoint metadata where the route is mapped
/// (MLflow's after-request handlers, and its narrowing of run searches).
/// </summary>
internal enum AuthHook
{
    /// <summary>Before the handler: <c>experiment_ids</c> keeps only the experiments the caller may read.</summary>
    NarrowExperimentIds,

    /// <summary>After a created experiment: its creator gets MANAGE on it.</summary>
    GrantCreatorOnExperiment,

    /// <summary>After a created registered model: its creator gets MANAGE on it.</summary>
    GrantCreatorOnModel,

    /// <summary>After a rename: the model's grants follow it to its new name.</summary>
    MoveModelGrants,

    /// <summary>After a deleted model: the caller's grant on it goes.</summary>
    DropModelGrant,

    /// <summary>After an experiment search or list: only experiments the caller may read, pages refilled.</summary>
    FilterExperiments,

    /// <summary>After the old experiments/list: only experiments the caller may read (its pages are not refilled).</summary>
    FilterListedExperiments,

    /// <summary>After a registered-model search: only models the caller may read, pages refilled.</summary>
    FilterModels,

    /// <summary>After a model-version search: only versions of models the caller may read, pages refilled.</summary>
    FilterModelVersions,
}
