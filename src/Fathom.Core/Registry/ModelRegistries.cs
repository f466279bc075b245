using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>Finds the model registry that goes with a tracking store.</summary>
internal static class ModelRegistries
{
    /// <summary>The registry of <paramref name="store"/>; a store without one is refused with a clear message.</summary>
    public static IModelRegistryStore Of(ITrackingStore store) => store switch
    {
        IModelRegistryProvider provider => provider.ModelRegistry,
        null => throw new ArgumentNullException(nameof(store)),
        _ => throw new TrackingException(ErrorCode.InvalidParameterValue, $"The tracking store {store.GetType().Name} has no model registry; use a SQLite, PostgreSQL or http(s) tracking URI."),
    };
}
