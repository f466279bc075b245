using System.Diagnostics;

namespace Fathom.Bench;

/// <summary>What the end-to-end benchmarks share: reading options, finding the built CLI, timing a process.</summary>
internal static class BenchSupport
{
    /// <summary>The value after <paramref name="name"/> in the arguments, or null.</summary>
    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The Release build of the CLI in this repository (the benches time what users run).</summary>
    public static string DefaultCli()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")))
            {
                return Path.Combine(dir.FullName, "src", "Fathom.Cli", "bin", "Release", "net10.0", "fathom.dll");
            }
        }

        return "fathom.dll";
    }

    /// <summary>Wall time of one process run to its exit; a failing run throws with its output.</summary>
    public static async Task<TimeSpan> TimeAsync(string workingDirectory, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = stopwatch.Elapsed;
        return process.ExitCode == 0 ? elapsed
            : throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }
}
