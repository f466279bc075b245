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

    /// <summary>
    /// The CLI the quick-command targets (<c>data</c>, <c>repro</c>) are set for: the ReadyToRun executable published by
    /// <c>dotnet publish src/Fathom.Cli -c Release -r linux-x64 --self-contained false -o artifacts/fathom-r2r</c>, or the
    /// <c>--fathom</c> given (an executable, or a <c>fathom.dll</c> run through <c>dotnet</c>). Null, with the reason on
    /// stderr, when there is none.
    /// </summary>
    public static CliUnderTest? PublishedCli(string[] args)
    {
        // Full, so a bench that starts the CLI in a working folder of its own still finds it.
        var path = Path.GetFullPath(Option(args, "--fathom") ?? Path.Combine(RepositoryRoot(), "artifacts", "fathom-r2r", "fathom"));
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"{path} not found: publish the CLI first (dotnet publish src/Fathom.Cli -c Release -r linux-x64 --self-contained false -o artifacts/fathom-r2r) or pass --fathom.");
            return null;
        }

        var isDll = path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var dll = isDll ? path : Path.ChangeExtension(path, ".dll");
        var compiled = File.Exists(dll) && IsReadyToRun(dll) ? "ReadyToRun" : "NOT ReadyToRun (JIT only; the targets are for the published ReadyToRun build)";
        return new CliUnderTest(isDll ? "dotnet" : path, isDll ? [path] : [], $"{path} ({compiled}, {(isDll ? "through dotnet" : "its own executable")})");
    }

    /// <summary>The 1-minute load average (Linux), printed beside wall times: on a shared machine they mean little without it.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary>Whether an assembly carries precompiled native code (a ReadyToRun header).</summary>
    internal static bool IsReadyToRun(string assembly)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(assembly));
        return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
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
