using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Tracking;
using Spectre.Console;

namespace Fathom.Cli;

/// <summary>What every command gets: where to write, the global options and the clock.</summary>
internal sealed class CliContext
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly TextWriter _stdout = Console.Out;

    public CliContext(ParseResult parse)
    {
        Json = parse.GetValue(GlobalOptions.Json);
        StoreOption = parse.GetValue(GlobalOptions.Store);
        Out = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        Error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    }

    /// <summary>Standard output: the command's data.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard error: progress, notes and errors.</summary>
    public IAnsiConsole Error { get; }

    /// <summary>Human text goes here: stderr with --json (so stdout is pure data), else stdout.</summary>
    public IAnsiConsole Human => Json ? Error : Out;

    public bool Json { get; }

    public string? StoreOption { get; }

    public TimeProvider Time { get; } = TimeProvider.System;

    public StoreLocation ResolveStore() => StoreLocation.Resolve(StoreOption, Directory.GetCurrentDirectory());

    public TrackingClient OpenTracking() => new(TrackingStores.Open(ResolveStore(), Time), time: Time);

    public void WriteJson<T>(T value) => _stdout.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public void Fail(string message) => Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
}
