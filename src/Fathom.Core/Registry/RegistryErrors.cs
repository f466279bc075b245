using System.Globalization;
using Fathom.Tracking;

namespace Fathom.Registry;

/// <summary>MLflow's registry refusals, worded as its SQL store words them.</summary>
internal static class RegistryErrors
{
    public static TrackingException ModelNotFound(string name) => TrackingException.NotFound($"Registered Model with name={name} not found");

    public static TrackingException ModelExists(string name) => new(ErrorCode.ResourceAlreadyExists, $"Registered Model (name={name}) already exists.");

    public static TrackingException VersionNotFound(string name, long version) =>
        TrackingException.NotFound($"Model Version (name={name}, version={version.ToString(CultureInfo.InvariantCulture)}) not found");

    public static TrackingException AliasNotFound(string alias) => TrackingException.Invalid($"Registered model alias {alias} not found.");
}
