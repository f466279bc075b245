using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Fathom.Cli.Rendering;

/// <summary>
/// Prints the server's log lines (the host lets through warnings, errors and a schema upgrade's steps) as plain lines on
/// the CLI's error console: one line each, level first, so a user upgrading a big store sees what it is doing.
/// </summary>
internal sealed class ConsoleLoggerProvider(IAnsiConsole console) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(console);

    public void Dispose()
    {
    }

    private sealed class Logger(IAnsiConsole console) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var level = logLevel switch
            {
                LogLevel.Critical or LogLevel.Error => "[red]error:[/]",
                LogLevel.Warning => "[yellow]warning:[/]",
                _ => "[grey]info:[/]",
            };
            var text = formatter(state, exception) + (exception is null ? string.Empty : Environment.NewLine + exception);
            console.MarkupLine($"{level} {Markup.Escape(text)}");
        }
    }
}
