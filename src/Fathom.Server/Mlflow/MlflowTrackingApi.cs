using System.Globalization;
using System.Text.Json;
using Fathom.Auth;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// MLflow's tracking REST API (experiments, runs, metrics, artifacts listing), mounted under both
/// <c>/api/2.0/mlflow</c> and <c>/ajax-api/2.0/mlflow</c> as MLflow's server does.
/// </summary>
internal static partial class MlflowTrackingApi
{
    /// <summary>The prefix of the routes MLflow's web UI calls; a few RPCs exist only there.</summary>
    public const string AjaxPrefix = "/ajax-api/2.0";

    public static readonly IReadOnlyList<string> Prefixes = ["/api/2.0", AjaxPrefix];

    /// <summary>
    /// What <c>/version</c> answers: the MLflow release whose REST API this server follows. MLflow clients use it
    /// to detect features, so it names the API level rather than Fathom's own version.
    /// </summary>
    public const string MlflowApiVersion = "3.6.0";

    public static IEndpointRouteBuilder MapMlflowApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var state = app.ServiceProvider.GetRequiredService<MlflowState>();
        foreach (var prefix in Prefixes)
        {
            var group = app.MapGroup(prefix + "/mlflow");
            MapExperiments(group, state);
            MapRuns(group, state);
            MapMetrics(group, state);
            MapTraces(group, state);
            MapLoggedModels(group, state);
            if (prefix == AjaxPrefix)
            {
                MlflowRpc.Map(group, "GET", "/metrics/get-history-bulk", state, GetMetricHistoryBulkAsync, RoutePermission.Runs(Access.Read, HistoryBulkRunIds));
            }

            MlflowRegistryApi.MapRegistry(group, state);
        }

        // MLflow's basic-auth leaves /health open and asks credentials for everything else, /version included.
        app.MapGet("/health", () => Results.Text("OK", "text/plain")).WithMetadata(RoutePermission.Public);
        app.MapGet("/version", () => Results.Text(MlflowApiVersion, "text/plain")).WithMetadata(RoutePermission.SignedIn);
        return app;
    }

    private static List<Tag> ReadTags(MlflowRequest request, string name) =>
        request.Messages(name).Select(t => new Tag(t.RequireString("key"), t.String("value") ?? string.Empty)).ToList();

    private static ViewType ReadViewType(MlflowRequest request, string name) =>
        request.Enum(name, ViewTypeByName, n => n is >= 1 and <= 3 ? (ViewType)n : null) ?? ViewType.ActiveOnly;

    private static ViewType? ViewTypeByName(string name) => name.ToUpperInvariant() switch
    {
        "ACTIVE_ONLY" => ViewType.ActiveOnly,
        "DELETED_ONLY" => ViewType.DeletedOnly,
        "ALL" => ViewType.All,
        _ => null,
    };

    // max_results is int64 on the wire; anything outside int range is as invalid as 0 to the store.
    private static int ReadMaxResults(MlflowRequest request, int fallback)
    {
        var value = request.Int64("max_results") ?? fallback;
        return value is > int.MaxValue or < int.MinValue ? 0 : (int)value;
    }

    private static void WritePageToken(Utf8JsonWriter writer, string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            writer.WriteString("next_page_token", token);
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
