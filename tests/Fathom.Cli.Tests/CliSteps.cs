using System.Diagnostics;

namespace Fathom.Cli.Tests;

/// <summary>Steps the CLI tests take as a user would: a <c>fathom</c> command that must succeed, and plain <c>git</c>.</summary>
internal static class CliSteps
{
    /// <summary>Runs <c>fathom ARGS…</c> and fails the test, showing its output, unless it exits 0.</summary>
    /// <summary>The md5 DVC names an object by, of a file holding <paramref name="text"/> as UTF-8.</summary>
    public static string Md5(string text) =>
#pragma warning disable CA5351 // DVC's object ids are MD5
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351

    public static async Task<CliResult> Ok(string workingDirectory, params string[] args)
    {
        var result = await FathomProcess.RunAsync(workingDirectory, args);
        Assert.True(result.ExitCode == 0, $"fathom {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>Runs <c>git ARGS…</c> with a fixed author, so commits work on a machine without a git identity.</summary>
    public static void Git(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in new[] { ("GIT_AUTHOR_NAME", "t"), ("GIT_AUTHOR_EMAIL", "t@example.com"), ("GIT_COMMITTER_NAME", "t"), ("GIT_COMMITTER_EMAIL", "t@example.com") })
        {
            start.Environment[key] = value;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        // Both pipes drained: a command with much output would otherwise block on a full pipe.
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error.Result}");
    }

    /// <summary>Commits everything in the folder (after <c>git init</c> when <paramref name="init"/>), as a user snapshots a revision.</summary>
    public static void CommitAll(string workingDirectory, string message, bool init = false)
    {
        if (init)
        {
            Git(workingDirectory, "init", "-q");
        }

        Git(workingDirectory, "add", "-A");
        Git(workingDirectory, "commit", "-qm", message);
    }

    /// <summary>A folder with a <c>fathom</c> script that runs the CLI under test, put first on PATH, as an installed tool would be.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static Dictionary<string, string> ShimEnvironment(TempDirectory dir)
    {
        var bin = dir.Combine("bin");
        Directory.CreateDirectory(bin);
        var shim = Path.Combine(bin, "fathom");
        File.WriteAllText(shim, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "fathom.dll")}' \"$@\"\n");
        File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new Dictionary<string, string> { ["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") };
    }

    public static void CopyFolder(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "out" or ".fathom" or "tmp" or "cache") || Path.GetFileName(file) == "dvc.lock")
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
