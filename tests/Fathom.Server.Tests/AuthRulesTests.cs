using Fathom.Auth;

namespace Fathom.Server.Tests;

public sealed class AuthRulesTests
{
    [Theory]
    [InlineData("GET", "/api/2.0/mlflow/experiments/get", "Experiment", Access.Read)]
    [InlineData("POST", "/ajax-api/2.0/mlflow/runs/create", "Experiment", Access.Update)]
    [InlineData("POST", "/api/2.0/mlflow/experiments/delete", "Experiment", Access.Delete)]
    [InlineData("POST", "/api/2.0/mlflow/runs/log-batch", "Run", Access.Update)]
    [InlineData("GET", "/api/2.0/mlflow/metrics/get-history", "Run", Access.Read)]
    [InlineData("POST", "/api/2.0/mlflow/runs/delete", "Run", Access.Delete)]
    [InlineData("POST", "/api/2.0/mlflow/registered-models/delete", "RegisteredModel", Access.Delete)]
    [InlineData("GET", "/api/2.0/mlflow/registered-models/alias", "RegisteredModel", Access.Read)]
    [InlineData("POST", "/api/2.0/mlflow/registered-models/alias", "RegisteredModel", Access.Update)]
    [InlineData("DELETE", "/ajax-api/2.0/mlflow/registered-models/alias", "RegisteredModel", Access.Delete)]
    [InlineData("GET", "/api/2.0/mlflow/registered-models/search", "None", Access.Any)]
    [InlineData("POST", "/api/2.0/mlflow/experiments/permissions/create", "Experiment", Access.Manage)]
    [InlineData("POST", "/api/2.0/mlflow/users/create", "AdminOnly", Access.Manage)]
    [InlineData("POST", "/api/2.0/mlflow/experiments/create", "None", Access.Any)]
    [InlineData("POST", "/api/2.0/mlflow/runs/search", "None", Access.Any)]
    [InlineData("PUT", "/api/2.0/mlflow-artifacts/artifacts/3/abc/artifacts/model.zip", "ArtifactPath", Access.Update)]
    [InlineData("DELETE", "/api/2.0/mlflow-artifacts/artifacts/3/abc", "ArtifactPath", Access.Manage)]
    [InlineData("GET", "/api/2.0/mlflow-artifacts/artifacts", "ArtifactPath", Access.Read)]
    [InlineData("GET", "/get-artifact", "Run", Access.Read)]
    [InlineData("GET", "/model-versions/get-artifact", "RegisteredModel", Access.Read)]
    [InlineData("POST", "/api/2.0/mlflow/runs/log-model", "Run", Access.Update)]
    [InlineData("GET", "/ajax-api/2.0/mlflow/metrics/get-history-bulk", "Runs", Access.Read)]
    public void For_MlflowRpc_NeedsWhatMlflowBasicAuthNeeds(string method, string path, string resource, Access access) =>
        Assert.Equal(new AuthRequirement(Enum.Parse<AuthResource>(resource), access), AuthRules.For(method, path));

    [Theory]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/12/run/artifacts/x", "12")]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/12", "12")]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/12abc/x", null)]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/shared/x", null)]
    public void ExperimentOfArtifactPath_TakesTheLeadingDigits(string path, string? expected) =>
        Assert.Equal(expected, AuthRules.ExperimentOfArtifactPath(path));

    [Theory]
    [InlineData("/health", true)]
    [InlineData("/static-files/app.js", true)]
    [InlineData("/version", false)]
    [InlineData("/api/2.0/mlflow/experiments/search", false)]
    public void IsPublic_OnlyHealthAndStatic(string path, bool expected) => Assert.Equal(expected, AuthRules.IsPublic(path));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    [InlineData("::1", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("10.1.2.3", false)]
    public void AuthOptions_WithoutAuth_OnlyLoopbackIsAllowed(string host, bool allowed)
    {
        var options = new AuthOptions { Enabled = false, DatabasePath = "unused.db" };
        if (allowed)
        {
            options.ValidateBinding(host);
        }
        else
        {
            Assert.Throws<ArgumentException>(() => options.ValidateBinding(host));
        }
    }
}
