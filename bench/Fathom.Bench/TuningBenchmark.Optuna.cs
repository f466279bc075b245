using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Fathom.Bench;

internal static partial class TuningBenchmark
{
    /// <summary>What <c>tuning_optuna.py</c> printed: per-seed bests, hypervolumes and costs.</summary>
    private sealed class OptunaResults(JsonDocument json)
    {
        private readonly JsonElement _root = json.RootElement;

        public string Version => _root.TryGetProperty("version", out var v) ? v.GetString() ?? "?" : "?";

        public List<double>? Zdt1 =>
            _root.TryGetProperty("mo", out var mo) ? [.. mo.GetProperty("zdt1").EnumerateArray().Select(e => e.GetDouble())] : null;

        /// <summary>Median best per budget, or null when the function was not run.</summary>
        public double[]? Quality(string function) =>
            _root.TryGetProperty("quality", out var q) && q.TryGetProperty(function, out var per)
                ? [.. Budgets.Select(b => Median(per.GetProperty(b.ToString(CultureInfo.InvariantCulture)).EnumerateArray().Select(e => e.GetDouble())))]
                : null;

        public (double[] Wall, double[] Cpu)? Cost(int[] sizes)
        {
            if (!_root.TryGetProperty("cost", out var cost) || sizes.Any(n => !cost.TryGetProperty(Key(n), out _)))
            {
                return null;
            }
            return ([.. sizes.Select(n => cost.GetProperty(Key(n)).GetProperty("wall").GetDouble())],
                [.. sizes.Select(n => cost.GetProperty(Key(n)).GetProperty("cpu").GetDouble())]);
        }

        private static string Key(int n) => n.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task<OptunaResults?> RunOptunaAsync(string? python, int seeds, HashSet<string> only, int[] sizes, string? saveTo)
    {
        var script = ScriptPath();
        // Debian's python3-optuna installs into the system interpreter, which may not be the first python3 on PATH.
        foreach (var candidate in python is not null ? [python] : new[] { "python3", "/usr/bin/python3" })
        {
            var probe = await RunAsync(candidate, ["-c", "import optuna"], echo: false);
            if (probe.ExitCode != 0)
            {
                continue;
            }
            var watch = Stopwatch.StartNew();
            var result = await RunAsync(candidate,
                [script, "--seeds", seeds.ToString(CultureInfo.InvariantCulture), "--only", string.Join(',', only), "--sizes", string.Join(',', sizes)],
                echo: true);
            if (result.ExitCode != 0)
            {
                Console.WriteLine($"optuna: {candidate} {script} exited {result.ExitCode}; showing Fathom only");
                return null;
            }
            Console.WriteLine($"optuna side ({candidate}) took {watch.Elapsed.TotalSeconds:F0} s");
            if (saveTo is not null)
            {
                await File.WriteAllTextAsync(saveTo, result.Output);
            }
            return new OptunaResults(JsonDocument.Parse(result.Output));
        }
        Console.WriteLine("optuna: no python3 with optuna found; install Debian's package (apt-get install -y python3-optuna) or pass --python; showing Fathom only");
        return null;
    }

    private static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "Fathom.Bench", "tuning_optuna.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("bench/Fathom.Bench/tuning_optuna.py not found above the bench's folder.");
    }

    // Runs a process to its exit; with echo, its stderr (the script's progress) goes to ours as it comes.
    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, bool echo)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        try
        {
            using var process = new Process { StartInfo = info };
            process.ErrorDataReceived += (_, e) =>
            {
                if (echo && e.Data is not null)
                {
                    Console.Error.WriteLine(e.Data);
                }
            };
            process.Start();
            process.BeginErrorReadLine();
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "");
        }
    }
}
