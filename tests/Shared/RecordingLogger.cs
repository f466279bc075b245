using Microsoft.Extensions.Logging;

namespace Fathom.Testing;

/// <summary>A logger that keeps each line it is given, formatted as a log provider would print it.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly List<string> _messages = [];

    /// <summary>The lines logged so far, oldest first.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_messages)
        {
            _messages.Add(formatter(state, exception));
        }
    }
}
