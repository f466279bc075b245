using Fathom.Auth;
using Fathom.Server.Tests.Security;
using Microsoft.Playwright;

namespace Fathom.Server.Tests.Dashboard;

/// <summary>
/// With <c>--auth</c> on, the dashboard asks for a sign-in before anything else, checks it against the server, and
/// shows only what the signed-in user may read: another user's experiment is a clear "Permission denied".
/// </summary>
public sealed class DashboardSignInTests(DashboardBrowser browser) : IClassFixture<DashboardBrowser>
{
    [SkippableFact]
    public async Task SignIn_ThenADeniedExperiment_ShowsPermissionDenied()
    {
        var chromium = browser.Require();
        await using var server = await AuthServer.StartAsync(AccessLevel.None);
        using var admin = server.Admin();
        var secret = (await DashboardSeed.OkAsync(admin, "/api/2.0/mlflow/experiments/create", new { name = "secret-plans" })).GetProperty("experiment_id").GetString()!;
        using var bob = await server.UserAsync("bob");
        var own = (await DashboardSeed.OkAsync(bob, "/api/2.0/mlflow/experiments/create", new { name = "bobs-experiment" })).GetProperty("experiment_id").GetString()!;
        await using var tab = await DashboardPage.OpenAsync(chromium, server.Base);
        var page = tab.Page;

        // A deep link while signed out lands on the sign-in form, and the page stays where it was asked to go.
        await page.GotoAsync($"/#/experiments/{own}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Fathom" })).ToBeVisibleAsync();
        await tab.ScreenshotAsync("sign-in");

        tab.Expect(401);
        await page.GetByLabel("User name").FillAsync("bob");
        await page.GetByLabel("Password").FillAsync("wrong-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong user name or password.");
        await tab.AssertCleanAsync();
        tab.ExpectNothing();

        await page.GetByLabel("Password").FillAsync(AuthServer.PasswordOf("bob"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "bobs-experiment", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#who")).ToContainTextAsync("Signed in as bob");

        // The list holds only what bob may read.
        await page.GotoAsync("/#/");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "bobs-experiment" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "secret-plans" })).ToHaveCountAsync(0);
        await tab.AssertCleanAsync();

        tab.Expect(403);
        await page.GotoAsync($"/#/experiments/{secret}");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("Permission denied");
        await Assertions.Expect(page.Locator("#runs-table")).ToHaveCountAsync(0);
        await tab.ScreenshotAsync("permission-denied");
        await tab.AssertCleanAsync();
        tab.ExpectNothing();

        // Signing out forgets the credentials.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Fathom" })).ToBeVisibleAsync();
        await tab.AssertCleanAsync();
    }
}
