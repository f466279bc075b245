namespace Fathom.Auth;

/// <summary>
/// MLflow basic-auth's table of which permission each RPC needs, keyed by the RPC path below
/// <c>/api/2.0/mlflow/</c> (or <c>/ajax-api/2.0/mlflow/</c>). Pure: a path in, a requirement out.
/// </summary>
internal static class AuthRules
{
    private static readonly Dictionary<string, AuthRequirement> Rpcs = new(StringComparer.Ordinal)
    {
        ["experiments/get"] = new(AuthResource.Experiment, Access.Read),
        ["experiments/get-by-name"] = new(AuthResource.Experiment, Access.Read),
        ["experiments/update"] = new(AuthResource.Experiment, Access.Update),
        ["experiments/set-experiment-tag"] = new(AuthResource.Experiment, Access.Update),
        ["experiments/delete-experiment-tag"] = new(AuthResource.Experiment, Access.Update),
        ["runs/create"] = new(AuthResource.Experiment, Access.Update),
        ["experiments/delete"] = new(AuthResource.Experiment, Access.Delete),
        ["experiments/restore"] = new(AuthResource.Experiment, Access.Delete),
        ["runs/get"] = new(AuthResource.Run, Access.Read),
        ["metrics/get-history"] = new(AuthResource.Run, Access.Read),
        ["artifacts/list"] = new(AuthResource.Run, Access.Read),
        ["metrics/get-history-bulk-interval"] = new(AuthResource.Runs, Access.Read),
        ["metrics/get-history-bulk"] = new(AuthResource.Runs, Access.Read),
        ["runs/update"] = new(AuthResource.Run, Access.Update),
        ["runs/log-metric"] = new(AuthResource.Run, Access.Update),
        ["runs/log-batch"] = new(AuthResource.Run, Access.Update),
        ["runs/log-model"] = new(AuthResource.Run, Access.Update),
        ["runs/set-tag"] = new(AuthResource.Run, Access.Update),
        ["runs/delete-tag"] = new(AuthResource.Run, Access.Update),
        ["runs/log-parameter"] = new(AuthResource.Run, Access.Update),
        ["runs/delete"] = new(AuthResource.Run, Access.Delete),
        ["runs/restore"] = new(AuthResource.Run, Access.Delete),
        ["registered-models/get"] = new(AuthResource.RegisteredModel, Access.Read),
        ["registered-models/get-latest-versions"] = new(AuthResource.RegisteredModel, Access.Read),
        ["model-versions/get"] = new(AuthResource.RegisteredModel, Access.Read),
        ["model-versions/get-download-uri"] = new(AuthResource.RegisteredModel, Access.Read),
        ["registered-models/update"] = new(AuthResource.RegisteredModel, Access.Update),
        ["registered-models/rename"] = new(AuthResource.RegisteredModel, Access.Update),
        ["model-versions/create"] = new(AuthResource.RegisteredModel, Access.Update),
        ["model-versions/update"] = new(AuthResource.RegisteredModel, Access.Update),
        ["model-versions/transition-stage"] = new(AuthResource.RegisteredModel, Access.Update),
        ["registered-models/set-tag"] = new(AuthResource.RegisteredModel, Access.Update),
        ["registered-models/delete-tag"] = new(AuthResource.RegisteredModel, Access.Update),
        ["model-versions/set-tag"] = new(AuthResource.RegisteredModel, Access.Update),
        ["registered-models/delete"] = new(AuthResource.RegisteredModel, Access.Delete),
        ["model-versions/delete"] = new(AuthResource.RegisteredModel, Access.Delete),
        ["model-versions/delete-tag"] = new(AuthResource.RegisteredModel, Access.Delete),
        ["experiments/permissions/create"] = new(AuthResource.Experiment, Access.Manage),
        ["experiments/permissions/get"] = new(AuthResource.Experiment, Access.Manage),
        ["experiments/permissions/update"] = new(AuthResource.Experiment, Access.Manage),
        ["experiments/permissions/delete"] = new(AuthResource.Experiment, Access.Manage),
        ["registered-models/permissions/create"] = new(AuthResource.RegisteredModel, Access.Manage),
        ["registered-models/permissions/get"] = new(AuthResource.RegisteredModel, Access.Manage),
        ["registered-models/permissions/update"] = new(AuthResource.RegisteredModel, Access.Manage),
        ["registered-models/permissions/delete"] = new(AuthResource.RegisteredModel, Access.Manage),
        ["users/create"] = new(AuthResource.AdminOnly, Access.Manage),
        ["users/update-admin"] = new(AuthResource.AdminOnly, Access.Manage),
        ["users/delete"] = new(AuthResource.AdminOnly, Access.Manage),
        ["users/get"] = new(AuthResource.AdminOrSelf, Access.Read),
        ["users/update-password"] = new(AuthResource.AdminOrSelf, Access.Update),
    };

    private static readonly string[] RpcPrefixes = ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"];
    private static readonly string[] ArtifactPrefixes = ["/api/2.0/mlflow-artifacts/artifacts", "/ajax-api/2.0/mlflow-artifacts/artifacts"];

    /// <summary>True for paths that need no credentials at all (MLflow leaves /health and static files open).</summary>
    public static bool IsPublic(string path) =>
        path == "/health" || path.StartsWith("/static", StringComparison.Ordinal) || path == "/favicon.ico";

    /// <summary>The requirement for a request; unknown RPCs need only an authenticated user, as in MLflow.</summary>
    public static AuthRequirement For(string method, string path)
    {
        foreach (var prefix in ArtifactPrefixes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                // Proxy paths are authorised on the experiment whose id leads the path: list and GET read, PUT updates, DELETE manages.
                var access = method switch
                {
                    "PUT" => Access.Update,
                    "DELETE" => Access.Manage,
                    _ => Access.Read,
                };
                return new AuthRequirement(AuthResource.ArtifactPath, access);
            }
        }

        // MLflow's UI download route sits outside the RPC prefixes; it reads the run's files.
        if (path == "/get-artifact")
        {
            return new AuthRequirement(AuthResource.Run, Access.Read);
        }

        // Its registry twin reads a model version's files: READ on the registered model.
        if (path == "/model-versions/get-artifact")
        {
            return new AuthRequirement(AuthResource.RegisteredModel, Access.Read);
        }

        foreach (var prefix in RpcPrefixes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                var rpc = path[prefix.Length..];
                if (rpc == "registered-models/alias")
                {
                    // One path, three RPCs: setting an alias edits the model, deleting one needs MANAGE, reading one READ.
                    return new AuthRequirement(AuthResource.RegisteredModel, method switch
                    {
                        "POST" => Access.Update,
                        "DELETE" => Access.Delete,
                        _ => Access.Read,
                    });
                }

                return Rpcs.GetValueOrDefault(rpc) ?? AuthRequirement.AnyUser;
            }
        }

        return AuthRequirement.AnyUser;
    }

    /// <summary>True for the artifact proxy's paths, whose bodies are files streamed to the store.</summary>
    public static bool IsArtifactProxy(string path) => ArtifactPrefixes.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>True when <paramref name="path"/> is the RPC <paramref name="rpc"/> under either MLflow prefix.</summary>
    public static bool IsRpc(string path, string rpc) =>
        RpcPrefixes.Any(prefix => path.Length == prefix.Length + rpc.Length && path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith(rpc, StringComparison.Ordinal));

    /// <summary>The experiment id that leads an artifact-proxy path (<c>^(\d+)/</c>), or null.</summary>
    public static string? ExperimentOfArtifactPath(string path)
    {
        foreach (var prefix in ArtifactPrefixes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                var rest = path[prefix.Length..].TrimStart('/');
                var digits = rest.TakeWhile(char.IsAsciiDigit).Count();
                return digits > 0 && (rest.Length == digits || rest[digits] == '/') ? rest[..digits] : null;
            }
        }

        return null;
    }
}
