using Fathom.Tracking;

namespace Fathom.Search;

/// <summary>Search errors: MLflow's INVALID_PARAMETER_VALUE, with the position of the offending text.</summary>
internal static class SearchErrors
{
    public static TrackingException Syntax(string input, string reason, int position) =>
        TrackingException.Invalid($"Invalid filter '{input}': {reason} (at position {position}).");

    public static TrackingException Invalid(string message, int position) =>
        TrackingException.Invalid($"{message} (at position {position}).");
}
