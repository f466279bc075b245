namespace Fathom.Tracking;

/// <summary>Which lifecycle stages a listing or search includes (MLflow's <c>ViewType</c>).</summary>
public enum ViewType
{
    /// <summary>Only active entities.</summary>
    ActiveOnly = 1,

    /// <summary>Only deleted entities.</summary>
    DeletedOnly = 2,

    /// <summary>Both.</summary>
    All = 3,
}
