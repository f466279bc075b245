using System.Globalization;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// Which experiment, run, model or user a request names, read from the one parsed request. Handlers and route
/// permissions both call these, so the resource a permission is checked on is the resource the handler touches.
/// </summary>
internal static class MlflowResources
{
    /// <summary><c>run_id</c>, or the deprecated <c>run_uuid</c> when run_id is absent or empty (MLflow's handlers); required.</summary>
    public static string RunId(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.String("run_id") is { Length: > 0 } id ? id
            : request.String("run_uuid") is { Length: > 0 } uuid ? uuid
            : throw MlflowRequest.Missing("run_id");
    }

    /// <summary><c>run_id</c> only (log-inputs, log-model, delete and restore take no run_uuid); required.</summary>
    public static string RunIdOnly(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.RequireString("run_id");
    }

    /// <summary>An optional <c>run_id</c> (a model version's source run).</summary>
    public static string? OptionalRunId(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.String("run_id") is { Length: > 0 } id ? id : null;
    }

    /// <summary><c>experiment_id</c> in its canonical form; required.</summary>
    public static string ExperimentId(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CanonicalExperimentId(request.RequireString("experiment_id"));
    }

    /// <summary>
    /// The experiment a permission is granted on: an id the stores can hold (digits), canonical. A grant on text that
    /// names no experiment (" 1", "1e0") would sit in the auth database looking like a grant on one.
    /// </summary>
    public static string GrantedExperimentId(MlflowRequest request)
    {
        var id = ExperimentId(request);
        return id.Length > 0 && id.All(char.IsAsciiDigit)
            ? id
            : throw TrackingException.Invalid($"Invalid experiment_id '{id}': experiment ids are whole numbers.");
    }

    /// <summary>The experiment a new run goes to: <c>experiment_id</c>, or the default experiment "0" (MLflow's CreateRun).</summary>
    public static string ExperimentOfNewRun(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.String("experiment_id") is { Length: > 0 } id ? CanonicalExperimentId(id) : "0";
    }

    /// <summary><c>experiment_ids</c>, each in its canonical form.</summary>
    public static IReadOnlyList<string> ExperimentIds(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.StringList("experiment_ids").Select(CanonicalExperimentId).ToList();
    }

    /// <summary><c>experiment_name</c>; required.</summary>
    public static string ExperimentName(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.RequireString("experiment_name");
    }

    /// <summary>The trace a trace route names in its path (<c>{request_id}</c>); required.</summary>
    public static string TraceRequestId(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Route("request_id") is { Length: > 0 } id ? id : throw MlflowRequest.Missing("request_id");
    }

    /// <summary>The logged model a logged-model route names in its path (<c>{model_id}</c>); required.</summary>
    public static string LoggedModelId(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Route("model_id") is { Length: > 0 } id ? id : throw MlflowRequest.Missing("model_id");
    }

    /// <summary>The registered model's <c>name</c>; required.</summary>
    public static string ModelName(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.RequireString("name");
    }

    /// <summary>The <c>username</c> a user-management request is about; required.</summary>
    public static string Username(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.RequireString("username");
    }

    /// <summary>
    /// An experiment id as the stores read it: they take digits with leading zeros ("007" is experiment 7), while
    /// grants are kept by the id's text. Folding digits to one spelling here means "007" is checked as "7".
    /// </summary>
    public static string CanonicalExperimentId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Length > 1 && id[0] == '0' && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : id;
    }
}
