using System.Diagnostics;
using Spectre.Console;

namespace Fathom.Cli.Rendering;

/// <summary>
/// Shows the progress of a long count-based operation on stderr: a live Spectre bar in a terminal, and a plain
/// line every few seconds when stderr is a log or a pipe (where a live bar would be noise).
/// </summary>
internal static class ProgressReporter
{
    /// <summary>
    /// As <see cref="RunAsync{T}(IAnsiConsole, string, long?, Func{IProgress{long}, Task{T}})"/>, but when stderr is not a
    /// terminal no Spectre console is made at all: building one costs more start-up time than a no-change
    /// <c>repro</c> or <c>data status</c> may take.
    /// </summary>
    public static Task<T> RunAsync<T>(CliContext cli, string description, long? total, Func<IProgress<long>, Task<T>> work) =>
        Console.IsErrorRedirected
            ? PlainAsync(Console.Error.WriteLine, description, total, work)
            : RunAsync(cli.Error, description, total, work);

    public static async Task<T> RunAsync<T>(IAnsiConsole console, string description, long? total, Func<IProgress<long>, Task<T>> work)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            T result = default!;
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(description, maxValue: total ?? 100);
                    task.IsIndeterminate = total is null;
                    result = await work(new Progress<long>(done => task.Value = Math.Min(done, task.MaxValue)));
                    task.Value = task.MaxValue;
                });
            return result;
        }

        return await PlainAsync(console.WriteLine, description, total, work);
    }

    private static Task<T> PlainAsync<T>(Action<string> writeLine, string description, long? total, Func<IProgress<long>, Task<T>> work)
    {
        var stopwatch = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var gate = new Lock();
        var progress = new Progress<long>(done =>
        {
            lock (gate)
            {
                if (stopwatch.Elapsed - last < TimeSpan.FromSeconds(2))
                {
                    return;
                }

                last = stopwatch.Elapsed;
            }

            writeLine(total is null ? $"{description}: {done:N0}" : $"{description}: {done:N0}/{total:N0}");
        });
        return work(progress);
    }
}
