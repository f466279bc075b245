using System.CommandLine;
using System.Text.Json.Nodes;
using Fathom.Config;

namespace Fathom.Cli.Commands;

/// <summary>
/// <c>fathom config show [--resolve] [--config-dir D] [--config-name N] [OVERRIDES…]</c>: the composed config as YAML
/// (as Hydra's <c>--cfg job</c>), unresolved unless <c>--resolve</c>. Also the options and the multirun loop that
/// <c>fathom train</c> and <c>fathom prep</c> share.
/// </summary>
internal static class ConfigCommand
{
    /// <summary>The config options a command takes: <c>--config-dir/-cd</c>, <c>--config-name/-cn</c>, <c>--multirun/-m</c> and trailing overrides.</summary>
    internal sealed class ConfigOptions
    {
        public Option<string?> Directory { get; } = new("--config-dir", "-cd") { Description = $"The config dir (default: {ConfigLocator.DefaultDirectory} in this folder or above)." };

        public Option<string?> Name { get; } = new("--config-name", "-cn") { Description = $"The primary config, .yaml or .yml (default: {string.Join(", else ", ConfigLocator.DefaultNames)})." };

        public Option<bool> Multirun { get; } = new("--multirun", "-m") { Description = "Run once per combination of the sweeps (a=1,2 b=range(3)); outputs in multirun/DATE/TIME/N/." };

        public Argument<string[]> Overrides { get; } = new("overrides")
        {
            Description = "Hydra overrides: key=value, +key=value, ++key=value, ~key, group=option, key+=[a,b], key-=a.",
            Arity = ArgumentArity.ZeroOrMore,
        };

        public void AddTo(Command command, bool multirun)
        {
            command.Options.Add(Directory);
            command.Options.Add(Name);
            if (multirun)
            {
                command.Options.Add(Multirun);
            }

            command.Arguments.Add(Overrides);
        }

        /// <summary>
        /// The composed config of each job to run: one (or none, without a config dir) for a single run; one per
        /// combination of the basic sweep with <c>--multirun</c>, numbered, with their shared sweep folder.
        /// </summary>
        public IReadOnlyList<(ComposedConfig? Config, int? Number, string? SweepDirectory)> Jobs(ParseResult parse, CliContext cli)
        {
            var directory = parse.GetValue(Directory);
            var name = parse.GetValue(Name);
            var overrides = parse.GetValue(Overrides) ?? [];
            var cwd = System.IO.Directory.GetCurrentDirectory();
            var multirun = parse.GetValue(Multirun);
            var composed = ConfigLocator.Compose(directory, name, overrides, cwd, multirun);
            if (!multirun)
            {
                return [(composed, null, null)];
            }

            if (composed is null)
            {
                throw new CliInputException($"--multirun sweeps a config: there is no config dir (give --config-dir, or add {ConfigLocator.DefaultDirectory}).");
            }

            var repository = new ConfigRepository(composed.ConfigDirectory);
            var jobs = BasicSweep.Expand(composed.Overrides, repository.Options, Random.Shared);
            var sweepDirectory = HydraRun.SweepDirectory(composed, cwd, cli.Time);
            Console.Error.WriteLine($"Multirun: {jobs.Count} job(s) in {sweepDirectory}");
            return [.. jobs.Select(job => ((ComposedConfig?)ConfigComposer.Compose(repository, composed.ConfigName, job.Overrides), (int?)job.Number, (string?)sweepDirectory))];
        }
    }

    public static Command Create()
    {
        var resolve = new Option<bool>("--resolve") { Description = "Resolve interpolations (${a.b}, ${oc.env:VAR}) before printing." };
        var options = new ConfigOptions();
        var show = new Command("show", "Print the composed config (YAML; with --json, JSON), as Hydra's --cfg job.") { resolve };
        options.AddTo(show, multirun: false);
        show.WithAction((parse, cli, _) =>
        {
            var composed = ConfigLocator.Compose(parse.GetValue(options.Directory), parse.GetValue(options.Name), parse.GetValue(options.Overrides) ?? [], Directory.GetCurrentDirectory())
                ?? throw new CliInputException($"no config dir: give --config-dir, or run where {ConfigLocator.DefaultDirectory} is (in this folder or above).");
            var job = parse.GetValue(resolve) ? composed.ResolveJob(time: cli.Time) : composed.Job;
            if (cli.Json)
            {
                cli.WriteJson(ToJson(job));
            }
            else
            {
                Console.Out.Write(ConfigYamlWriter.Write(job));
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return new Command("config", "Hydra-style configuration: conf/base/*.yml composed with defaults lists, interpolation and overrides.") { show };
    }

    /// <summary>A config tree as JSON (keys in order; int and float kept apart).</summary>
    public static JsonNode? ToJson(ConfigNode node) => node switch
    {
        ConfigMap map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Key, ToJson(e.Value)))),
        ConfigList list => new JsonArray([.. list.Items.Select(ToJson)]),
        ConfigScalar { Kind: ScalarKind.Null } => null,
        ConfigScalar { Kind: ScalarKind.Bool } b => JsonValue.Create((bool)b.Value!),
        ConfigScalar { Kind: ScalarKind.Int } i => JsonValue.Create((long)i.Value!),
        ConfigScalar { Kind: ScalarKind.Float } f => double.IsFinite(f.AsDouble) ? JsonValue.Create(f.AsDouble) : JsonValue.Create(ConfigScalar.FormatFloat(f.AsDouble)),
        ConfigScalar s => JsonValue.Create((string)s.Value!),
        _ => null,
    };
}
