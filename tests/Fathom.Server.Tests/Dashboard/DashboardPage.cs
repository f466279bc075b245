using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Fathom.Server.Tests.Dashboard;

/// <summary>
/// One browser tab on the dashboard that records what a user would notice going wrong: every console error, page
/// error and failed request. A test declares the HTTP statuses it expects to provoke (a bad filter's 400, a denied
/// 403); anything else fails it at <see cref="AssertCleanAsync"/>.
/// </summary>
internal sealed partial class DashboardPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _problems = [];
    private readonly HashSet<int> _expected = [];

    private DashboardPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !(StatusOf(message.Text) is { } status && _expected.Contains(status)))
            {
                Record($"console error: {message.Text}");
            }
        };
        page.PageError += (_, error) => Record($"page error: {error}");
        page.RequestFailed += (_, request) => Record($"request failed: {request.Method} {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !_expected.Contains(response.Status))
            {
                Record($"HTTP {response.Status}: {response.Request.Method} {response.Url}");
            }
        };
    }

    public IPage Page { get; }

    public static async Task<DashboardPage> OpenAsync(IBrowser browser, Uri baseAddress, ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            AcceptDownloads = true,
            ColorScheme = colorScheme,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return new DashboardPage(context, await context.NewPageAsync());
    }

    /// <summary>Allows these statuses (and the browser's console lines about them) from now on.</summary>
    public void Expect(params int[] statuses) => _expected.UnionWith(statuses);

    public void ExpectNothing() => _expected.Clear();

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardBrowser.ScreenshotFolder, name + ".png"), FullPage = true });

    public async Task AssertCleanAsync()
    {
        // Let in-flight requests land, so a late failure is not missed.
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        lock (_problems)
        {
            Assert.True(_problems.Count == 0, "the page reported problems:\n" + string.Join('\n', _problems));
        }
    }

    private void Record(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }

    private static int? StatusOf(string consoleText) =>
        StatusPattern().Match(consoleText) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"status of (\d{3})")]
    private static partial Regex StatusPattern();

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
