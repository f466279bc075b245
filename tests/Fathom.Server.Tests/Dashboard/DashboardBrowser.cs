using Microsoft.Playwright;

namespace Fathom.Server.Tests.Dashboard;

/// <summary>
/// Debian's chromium, driven by Playwright, shared by a test class. Playwright's own browser download cannot run on
/// these machines, so the system executable is launched; never a downloaded one. Where chromium is missing the tests
/// skip locally but fail on CI (<c>CI=true</c>), so they can never silently stop running.
/// </summary>
public sealed class DashboardBrowser : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser? Browser { get; private set; }

    /// <summary>Where each page's screenshot goes: beside the test assembly, kept as the run's artifact.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // As root (CI), chromium refuses to start with its sandbox.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>The browser, or a skip (locally) or failure (on CI) that says what is missing.</summary>
    public IBrowser Require()
    {
        if (Browser is { } browser)
        {
            return browser;
        }

        const string missing = $"The dashboard's browser tests need Debian's chromium at {Executable} (apt-get install -y chromium; .ci/run installs it).";
        Assert.False(Environment.GetEnvironmentVariable("CI") == "true", missing);
        Skip.If(true, missing);
        throw new InvalidOperationException(missing);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
