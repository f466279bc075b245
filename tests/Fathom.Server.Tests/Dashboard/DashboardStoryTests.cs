using Fathom.Mlflow;
using Fathom.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Fathom.Server.Tests.Dashboard;

/// <summary>
/// The dashboard's main stories in a real browser against a real <c>fathom server</c> on loopback over SQLite: find
/// runs with a filter, open one and see its chart, compare two, browse its files; manage experiments. Each fails on
/// any console error or failed request, and leaves a screenshot of every page it visits.
/// </summary>
public sealed class DashboardStoryTests(DashboardBrowser browser) : IClassFixture<DashboardBrowser>, IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fathom-dashboard-" + Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        _app = TrackingServerHost.Build(new TrackingServerOptions { Port = 0, Store = StoreLocation.Parse(_folder, "/"), ArtifactsDestination = Path.Combine(_folder, "artifacts") });
        await _app.StartAsync();
        _base = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [SkippableFact]
    public async Task Runs_FilterOpenChartCompareAndBrowse_ShowWhatWasLogged()
    {
        var chromium = browser.Require();
        using var http = new HttpClient { BaseAddress = _base };
        var seeded = await DashboardSeed.SentimentAsync(http);
        await using var tab = await DashboardPage.OpenAsync(chromium, _base);
        var page = tab.Page;

        // The experiments list, then the experiment's runs.
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Experiments" })).ToBeVisibleAsync();
        await tab.ScreenshotAsync("experiments");
        await page.GetByRole(AriaRole.Link, new() { Name = "sentiment" }).ClickAsync();
        var rows = page.Locator("#runs-table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#runs-table thead")).ToContainTextAsync("metrics.accuracy");
        await tab.ScreenshotAsync("runs");

        // A filter narrows the table, and is kept in the address (a deep link).
        var filter = page.GetByRole(AriaRole.Searchbox, new() { Name = "Filter runs (MLflow search syntax)" });
        await filter.FillAsync("params.model = 'cnn'");
        await filter.PressAsync("Enter");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows).ToContainTextAsync(["run-", "run-"]);
        Assert.Contains("filter=", page.Url, StringComparison.Ordinal);

        // A bad filter shows the server's message and where it went wrong.
        tab.Expect(400);
        await filter.FillAsync("metrics.accuracy >> 0.5");
        await filter.PressAsync("Enter");
        var alert = page.Locator("#filter-error [role=alert]");
        await Assertions.Expect(alert).ToContainTextAsync("at position");
        await Assertions.Expect(page.Locator("#filter-error pre.filter-caret")).ToContainTextAsync("^");
        await Assertions.Expect(filter).ToHaveAttributeAsync("aria-invalid", "true");
        await tab.ScreenshotAsync("runs-filter-error");
        await tab.AssertCleanAsync();
        tab.ExpectNothing();

        // Sorting by a metric is done by the server: the best accuracy comes first.
        await page.GotoAsync($"/#/experiments/{seeded.ExperimentId}?order=metrics.accuracy%20DESC");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(rows.First).ToContainTextAsync("run-a");
        await Assertions.Expect(rows.Last).ToContainTextAsync("run-c");

        // A run's page: its overview, and its metric chart drawn from the server's history.
        await rows.First.GetByRole(AriaRole.Link, new() { Name = "run-a" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "run-a", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("dl.overview")).ToContainTextAsync(DashboardSeed.Commit[..12]);
        await Assertions.Expect(page.Locator("dl.overview")).ToContainTextAsync("alice");
        await Assertions.Expect(page.Locator("dl.overview")).ToContainTextAsync("train.py");
        var chart = page.Locator("[data-metric=accuracy] canvas");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-points", "200");
        Assert.True(await InkedPixelsAsync(chart) > 200, "the accuracy chart is blank");
        await page.Locator("[data-metric=loss]").GetByLabel("Log scale").CheckAsync();
        await Assertions.Expect(page.Locator("[data-metric=loss] canvas")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("log scale"));
        await tab.ScreenshotAsync("run");

        // Its files: JSON pretty-printed, CSV as a table, a folder opened, an image shown, a download.
        var preview = page.Locator("#artifact-preview");
        await page.GetByRole(AriaRole.Button, new() { Name = "config.json" }).ClickAsync();
        await Assertions.Expect(preview.Locator("pre[data-kind=json]")).ToContainTextAsync("\"dropout\": 0.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "metrics.csv" }).ClickAsync();
        await Assertions.Expect(preview.Locator("table[data-kind=csv] td").Filter(new() { HasText = "warm, up" })).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "notes/" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "readme.txt" }).ClickAsync();
        await Assertions.Expect(preview).ToContainTextAsync("Trained on the reviews sample.");
        await page.GetByRole(AriaRole.Button, new() { Name = "model/" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "MLmodel" }).ClickAsync();
        await Assertions.Expect(preview.Locator("pre[data-kind=yaml]")).ToContainTextAsync("loader_module: fathom");
        await page.GetByRole(AriaRole.Button, new() { Name = "confusion.png" }).ClickAsync();
        await Assertions.Expect(preview.Locator("img")).ToBeVisibleAsync();
        Assert.Equal(2, await preview.Locator("img").EvaluateAsync<int>("img => img.decode().then(() => img.naturalWidth)"));
        await tab.ScreenshotAsync("artifacts");
        var download = await page.RunAndWaitForDownloadAsync(() => preview.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        Assert.Equal("confusion.png", download.SuggestedFilename);

        // Compare two selected runs: the params that differ marked, the metrics overlaid.
        await page.GotoAsync($"/#/experiments/{seeded.ExperimentId}");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await page.GetByLabel("Select run-a").CheckAsync();
        await page.GetByLabel("Select run-b").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare selected (2)" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Compare 2 runs" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#params-diff tr.differs")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#params-diff tr.differs")).ToContainTextAsync("lr");
        var overlay = page.Locator("#compare-charts canvas").First;
        await Assertions.Expect(overlay).ToHaveAttributeAsync("data-points", "400");
        await Assertions.Expect(page.Locator("#compare-charts ul.legend").First).ToContainTextAsync("run-b");
        await tab.ScreenshotAsync("compare");
        await tab.AssertCleanAsync();
    }

    [SkippableFact]
    public async Task Experiments_CreateRenameDeleteRestore_AsTheListShowsThem()
    {
        var chromium = browser.Require();
        await using var tab = await DashboardPage.OpenAsync(chromium, _base);
        var page = tab.Page;
        await page.GotoAsync("/");
        await page.GetByLabel("New experiment name").FillAsync("churn");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create experiment" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "churn", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".empty")).ToContainTextAsync("No runs in this experiment yet");
        await tab.ScreenshotAsync("runs-empty");

        await page.GetByRole(AriaRole.Link, new() { Name = "Experiments" }).First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Rename churn" }).ClickAsync();
        var rename = page.GetByLabel("New name for churn");
        await rename.FillAsync("churn-v2");
        await rename.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "churn-v2" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete churn-v2" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "churn-v2" })).ToHaveCountAsync(0);
        await page.GetByLabel("Which experiments").SelectOptionAsync("DELETED_ONLY");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "churn-v2" })).ToBeVisibleAsync();
        await tab.ScreenshotAsync("experiments-deleted");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Assertions.Expect(page.Locator(".empty")).ToContainTextAsync("No deleted experiments");
        await page.GetByLabel("Which experiments").SelectOptionAsync("ACTIVE_ONLY");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "churn-v2" })).ToBeVisibleAsync();

        // The search box narrows the list by name.
        await page.GetByLabel("Search experiments by name").FillAsync("nomatch");
        await Assertions.Expect(page.Locator(".empty")).ToContainTextAsync("No experiment matches");
        await tab.AssertCleanAsync();
    }

    [SkippableFact]
    public async Task Keyboard_InTheDarkScheme_MovesThroughRunsAndOpensOne()
    {
        var chromium = browser.Require();
        using var http = new HttpClient { BaseAddress = _base };
        var seeded = await DashboardSeed.SentimentAsync(http);
        await using var tab = await DashboardPage.OpenAsync(chromium, _base, ColorScheme.Dark);
        var page = tab.Page;
        await page.GotoAsync($"/#/experiments/{seeded.ExperimentId}?order=attributes.run_name%20ASC");
        await Assertions.Expect(page.Locator("#runs-table tbody tr")).ToHaveCountAsync(3);

        // The reader's dark preference is followed: light text on a dark page.
        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(13, 17, 23)", background);

        // Arrows move between rows; Shift+Tab reaches the row's checkbox and space selects it; Tab and Enter open the run.
        await page.GetByRole(AriaRole.Link, new() { Name = "run-a" }).FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "run-b" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(page.GetByLabel("Select run-b")).ToBeCheckedAsync();
        await tab.ScreenshotAsync("runs-dark");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "run-b", Level = 1 })).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("[data-metric=accuracy] canvas")).ToHaveAttributeAsync("data-points", "200");
        await tab.ScreenshotAsync("run-dark");
        await tab.AssertCleanAsync();
    }

    [SkippableFact]
    public async Task BehindAPathPrefix_EveryPageAndCallStaysUnderIt()
    {
        var chromium = browser.Require();
        using var http = new HttpClient { BaseAddress = _base };
        var seeded = await DashboardSeed.SentimentAsync(http);
        await using var tab = await DashboardPage.OpenAsync(chromium, _base);
        var page = tab.Page;
        // A reverse proxy in the browser: /ml/… goes to the server without the prefix; anything else (a URL that
        // forgot the prefix) is refused, and the refusal fails the test as a failed request.
        await page.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            if (!url.AbsolutePath.StartsWith("/ml/", StringComparison.Ordinal))
            {
                await route.AbortAsync();
                return;
            }

            var response = await route.FetchAsync(new() { Url = new UriBuilder(url) { Path = url.AbsolutePath["/ml".Length..] }.Uri.ToString() });
            await route.FulfillAsync(new() { Response = response });
        });

        await page.GotoAsync($"/ml/#/experiments/{seeded.ExperimentId}");
        await Assertions.Expect(page.Locator("#runs-table tbody tr")).ToHaveCountAsync(3);
        await page.GetByRole(AriaRole.Link, new() { Name = "run-c" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-metric=loss] canvas")).ToHaveAttributeAsync("data-points", "200");
        await Assertions.Expect(page.Locator("#section-Artifacts")).ToContainTextAsync("This run has no artifacts.");
        Assert.StartsWith(_base + "ml/#/runs/", page.Url, StringComparison.Ordinal);
        await tab.AssertCleanAsync();
    }

    // Pixels that are not background: the chart has ink on it, not only a status text.
    internal static Task<int> InkedPixelsAsync(ILocator canvas) => canvas.EvaluateAsync<int>("""
        c => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i + 2] > d[i] + 60)) n++;
          return n;
        }
        """);
}
