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

    private static readonly JsonSerializerOptions PythonJsonOptions = new(JsonOptions) { Converters = { new Rendering.PythonFloatJsonConverter() } };

    private readonly TextWriter _stdout = Console.Out;

    // Made on first use: a Spectre console costs start-up time that quick commands (data status) cannot spare. Not
    // Lazy<IAnsiConsole> made in the constructor either: making that type loads Spectre.Console's assembly.
    private IAnsiConsole? _out;
    private IAnsiConsole? _error;
    private StoreLocation? _location;

    public CliContext(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        Json = parse.GetValue(GlobalOptions.Json);
        StoreOption = parse.GetValue(GlobalOptions.Store);
        Host = (parse.RootCommandResult.Command as FathomRootCommand)?.Host
            ?? throw new InvalidOperationException("The command tree was not built by FathomCli.");
    }

    /// <summary>Standard output: the command's data.</summary>
    public IAnsiConsole Out => LazyInitializer.EnsureInitialized(ref _out, static () => CreateConsole(Console.Out, Console.IsOutputRedirected));

    /// <summary>Standard error: progress, notes and errors.</summary>
    public IAnsiConsole Error => LazyInitializer.EnsureInitialized(ref _error, static () => CreateConsole(Console.Error, Console.IsErrorRedirected));

    /// <summary>Human text goes here: stderr with --json (so stdout is pure data), else stdout.</summary>
    public IAnsiConsole Human => Json ? Error : Out;

    /// <summary>
    /// Where plain human text (no markup, no tables) goes, as <see cref="Human"/> but without a Spectre console: making
    /// one costs more start-up time than a no-change <c>data status</c> or <c>repro</c> may take. Writes to the same
    /// writer Spectre uses, so the order of lines is kept.
    /// </summary>
    public TextWriter HumanText => Json ? Console.Error : _stdout;

    public bool Json { get; }

    public string? StoreOption { get; }

    public TimeProvider Time { get; } = TimeProvider.System;

    /// <summary>The process this command runs in: store kinds, artifact stores, environment.</summary>
    public CliHost Host { get; }

    /// <summary>Where runs go: resolved once from <c>--store</c> and the environment, for every command alike.</summary>
    public StoreLocation Location => _location ??= Host.ResolveStore(StoreOption);

    public TrackingClient OpenTracking()
    {
        var client = TrackingClient.Open(Location, Host.Stores, Time);
        Host.AddArtifactStores(client.Artifacts);
        return client;
    }

    public void WriteJson<T>(T value) => _stdout.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>JSON of DVC's commands (metrics, params), with floats as Python writes them (1.0 stays 1.0).</summary>
    public void WritePythonJson<T>(T value) => _stdout.WriteLine(JsonSerializer.Serialize(value, PythonJsonOptions));

    // Spectre assumes 80 columns when output is not a terminal, which wraps ids mid-word in logs and pipes:
    // use $COLUMNS when set, else a width that keeps a table row on one line.
    private static IAnsiConsole CreateConsole(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var columns) && columns > 0)
        {
            console.Profile.Width = columns;
        }
        else if (redirected)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    public void Fail(string message) => Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
}
