namespace Fathom.Server.Tests.Conformance;

/// <summary>
/// The npm <c>mlflow</c> package (a Node.js MLflow client nobody here wrote), installed once into a temp folder at a
/// pinned version. Where node or npm is missing the tests skip locally, but fail on CI (<c>CI=true</c>), so the
/// conformance test can never silently stop running.
/// </summary>
public sealed class MlflowJsClientFixture : IAsyncLifetime
{
    public const string Version = "2.0.7";

    /// <summary>The <c>node_modules</c> folder that holds the package.</summary>
    public string Modules { get; } = Path.Combine(Path.GetTempPath(), "fathom-mlflow-js-" + Version, "node_modules");

    /// <summary>Why the client is not available, or null when it is.</summary>
    public string? Unavailable { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            if (!File.Exists(Path.Combine(Modules, "mlflow", "package.json")))
            {
                var home = Path.GetDirectoryName(Modules)!;
                Directory.CreateDirectory(home);
                await NodeProcess.RunAsync("npm", home, TimeSpan.FromMinutes(5), "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", home, $"mlflow@{Version}");
            }

            await NodeProcess.RunAsync("node", Modules, TimeSpan.FromMinutes(1), "--version");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or OperationCanceledException)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                throw new InvalidOperationException($"The npm package mlflow@{Version} is required on CI and could not be installed: {e.Message}", e);
            }

            Unavailable = $"node/npm unavailable here ({e.Message})";
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
