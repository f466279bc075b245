using System.Diagnostics;

namespace Fathom.Testing;

/// <summary>
/// Podman (Debian's package) with a tiny image made here, since no registry is reachable: a root file system holding
/// Debian's statically linked busybox and its applets, imported as <see cref="Image"/>. The runtime flags podman needs
/// inside this kind of machine come from <see cref="FlagsEnvironment"/>, as a user would set them. Missing podman or
/// busybox skips the tests locally but fails them on CI (<c>CI=true</c>).
/// </summary>
public sealed class PodmanFixture : IAsyncLifetime
{
    /// <summary>The image the tests run; local only (podman never pulls a <c>localhost/</c> name that exists).</summary>
    public const string Image = "localhost/fathom-test-busybox:1";

    private const string Busybox = "/bin/busybox";

    // crun fails in these machines' containers and the default ulimits exceed what they allow; runc, cgroupfs and
    // ulimits within the host's are what works here (and on any host).
    private static readonly Dictionary<string, string> Flags = new()
    {
        ["FATHOM_CONTAINER_RUNTIME"] = "podman",
        ["FATHOM_CONTAINER_FLAGS"] = "--runtime runc --cgroup-manager cgroupfs",
        ["FATHOM_CONTAINER_RUN_FLAGS"] = "--ulimit nofile=1024:1024 --ulimit nproc=1000:1000 --network host",
    };

    public string? Unavailable { get; private set; }

    /// <summary>The variables that make <c>--executor container</c> run podman as this machine allows.</summary>
    public static IReadOnlyDictionary<string, string> FlagsEnvironment => Flags;

    public async Task InitializeAsync()
    {
        if (Which("podman") is null)
        {
            Fail("podman is not installed (apt-get install podman runc)");
            return;
        }

        if (!File.Exists(Busybox))
        {
            Fail("busybox is not installed (apt-get install busybox-static)");
            return;
        }

        var root = Path.Combine(Path.GetTempPath(), "fathom-busybox-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var folder in (string[])["bin", "tmp", "workspace"])
            {
                Directory.CreateDirectory(Path.Combine(root, folder));
            }

            File.Copy(Busybox, Path.Combine(root, "bin", "busybox"));
            foreach (var applet in (string[])["sh", "echo", "cat", "sleep", "env", "ls", "mkdir", "test", "true", "false"])
            {
                File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
            }

            var tar = Path.Combine(Path.GetTempPath(), Path.GetFileName(root) + ".tar");
            await RunAsync("tar", "-C", root, "-cf", tar, ".");
            try
            {
                await RunAsync("podman", "import", "--quiet", tar, Image);
            }
            finally
            {
                File.Delete(tar);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Runs podman with the machine's flags; its output, trimmed.</summary>
    public static async Task<string> PodmanAsync(params string[] args) =>
        await RunAsync("podman", ["--runtime", "runc", "--cgroup-manager", "cgroupfs", .. args]);

    private void Fail(string reason)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            throw new InvalidOperationException($"podman is required on CI: {reason}.");
        }

        Unavailable = reason;
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static async Task<string> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? (await stdout).Trim()
            : throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
    }
}
