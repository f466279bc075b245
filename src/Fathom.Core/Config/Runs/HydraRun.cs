using System.Text.RegularExpressions;

namespace Fathom.Config;

/// <summary>
/// What a tracked run keeps of its config, laid out as Hydra lays out a job's output folder: <c>.hydra/config.yaml</c>
/// (the task config, unresolved, without <c>hydra</c>), <c>.hydra/hydra.yaml</c> (Hydra's node with the runtime
/// filled in) and <c>.hydra/overrides.yaml</c> (the task overrides as given), and the resolved task config flattened
/// to params (<c>train.val_split</c> → <c>0.3</c>).
/// </summary>
/// <param name="OutputDirectory">The job's output folder (<c>outputs/DATE/TIME</c>, or <c>multirun/DATE/TIME/N</c>).</param>
/// <param name="HydraDirectory">Its <c>.hydra</c> folder, or null when <c>hydra.output_subdir</c> is null.</param>
/// <param name="Params">The flattened resolved config.</param>
internal sealed partial record HydraRun(string OutputDirectory, string? HydraDirectory, IReadOnlyDictionary<string, string> Params)
{
    /// <summary>The artifact path the <c>.hydra</c> files are logged under.</summary>
    public const string ArtifactPath = ".hydra";

    /// <summary>Writes the job's <c>.hydra</c> files and returns where, with the params to log.</summary>
    /// <param name="composed">The composed config of this job.</param>
    /// <param name="workingDirectory">The launch folder (Hydra's <c>hydra.runtime.cwd</c>); relative output folders are below it.</param>
    /// <param name="jobName">Hydra's <c>hydra.job.name</c> (the command: <c>train</c>, <c>prep</c>).</param>
    /// <param name="jobNumber">The job's number in a multirun, or null for a single run.</param>
    /// <param name="sweepDirectory">A multirun's sweep folder (all jobs share it), or null to resolve it here.</param>
    /// <param name="time">The clock <c>${now:…}</c> reads.</param>
    /// <param name="environment">Reads environment variables for <c>${oc.env:…}</c>.</param>
    public static HydraRun Write(ComposedConfig composed, string workingDirectory, string jobName, int? jobNumber, string? sweepDirectory, TimeProvider time, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(composed);
        ArgumentNullException.ThrowIfNull(time);
        var at = SourcePosition.Generated;
        var hydra = composed.Hydra;
        var job = (hydra.TryGet("job") as ConfigMap ?? ConfigMap.Empty(at))
            .With("name", ConfigScalar.Of(jobName, at))
            .With("num", jobNumber is { } n ? ConfigScalar.Of((long)n, at) : ConfigScalar.Null(at))
            .With("id", ConfigScalar.Of(jobNumber is { } m ? $"{jobName}_{m}" : jobName, at))
            .With("override_dirname", ConfigScalar.Of(OverrideDirname(composed), at));
        var runtime = (hydra.TryGet("runtime") as ConfigMap ?? ConfigMap.Empty(at)).With("cwd", ConfigScalar.Of(workingDirectory, at));
        hydra = hydra.With("job", job).With("runtime", runtime).With("mode", ConfigScalar.Of(jobNumber is null ? "RUN" : "MULTIRUN", at));
        var root = composed.Root.With("hydra", hydra);

        var resolver = new ConfigResolver(root, environment, time);
        string Text(string key) => resolver.Select(key) is ConfigScalar { Kind: not ScalarKind.Null } s ? s.Text : throw new ConfigException(null, key, "must be set to a folder.");
        var output = jobNumber is null
            ? Text("hydra.run.dir")
            : Path.Combine(sweepDirectory ?? Text("hydra.sweep.dir"), Text("hydra.sweep.subdir"));
        output = Path.GetFullPath(output, workingDirectory);
        runtime = runtime.With("output_dir", ConfigScalar.Of(output, at));
        hydra = hydra.With("runtime", runtime);
        root = root.With("hydra", hydra);

        var resolved = ConfigResolver.ResolveWithout(root, "hydra", environment, time);
        string? hydraDirectory = null;
        if (resolver.Select("hydra.output_subdir") is ConfigScalar { Kind: not ScalarKind.Null } subdir)
        {
            hydraDirectory = Path.Combine(output, subdir.Text);
            Directory.CreateDirectory(hydraDirectory);
            File.WriteAllText(Path.Combine(hydraDirectory, "config.yaml"), ConfigYamlWriter.Write(composed.Job));
            File.WriteAllText(Path.Combine(hydraDirectory, "hydra.yaml"), ConfigYamlWriter.Write(ConfigMap.Empty(at).With("hydra", hydra)));
            var overrides = new ConfigList([.. composed.TaskOverrides.Select(o => (ConfigNode)ConfigScalar.Of(o, at))], at);
            File.WriteAllText(Path.Combine(hydraDirectory, "overrides.yaml"), ConfigYamlWriter.Write(overrides));
        }
        else
        {
            Directory.CreateDirectory(output);
        }

        return new HydraRun(output, hydraDirectory, Flatten(resolved));
    }

    /// <summary>
    /// The resolved config as run params: nested keys joined with dots, lists and values as Python's <c>str</c> writes
    /// them (what <c>mlflow.log_params</c> of a flattened Hydra config stores). Keys MLflow would refuse, and values past
    /// its 6,000 characters, are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Flatten(ConfigMap resolved)
    {
        ArgumentNullException.ThrowIfNull(resolved);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Walk(ConfigNode node, string prefix)
        {
            if (node is ConfigMap map && map.Entries.Length > 0)
            {
                foreach (var entry in map.Entries)
                {
                    Walk(entry.Value, prefix.Length == 0 ? entry.Key : prefix + "." + entry.Key);
                }

                return;
            }

            var value = PythonStr(node);
            if (prefix.Length is > 0 and <= 250 && ValidKey().IsMatch(prefix) && value.Length <= 6000)
            {
                result[prefix] = value;
            }
        }

        Walk(resolved, "");
        return result;
    }

    private static string PythonStr(ConfigNode node) => node switch
    {
        ConfigScalar { Kind: ScalarKind.String } s => (string)s.Value!,
        ConfigScalar s => s.Describe(),
        ConfigList l => "[" + string.Join(", ", l.Items.Select(PythonRepr)) + "]",
        ConfigMap m => "{" + string.Join(", ", m.Entries.Select(e => "'" + e.Key + "': " + PythonRepr(e.Value))) + "}",
        _ => "",
    };

    private static string PythonRepr(ConfigNode node) => node is ConfigScalar { Kind: ScalarKind.String } s
        ? "'" + ((string)s.Value!).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'"
        : PythonStr(node);

    // Hydra's hydra.job.override_dirname: the task overrides sorted, '=' kept (kv_sep) and joined with ','.
    private static string OverrideDirname(ComposedConfig composed) =>
        string.Join(',', composed.TaskOverrides.Order(StringComparer.Ordinal));

    /// <summary>The <c>now</c> a multirun's sweep folder is named by, resolved once for all its jobs.</summary>
    public static string SweepDirectory(ComposedConfig composed, string workingDirectory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(composed);
        var resolver = new ConfigResolver(composed.Root, null, time);
        var dir = resolver.Select("hydra.sweep.dir") is ConfigScalar { Kind: not ScalarKind.Null } s ? s.Text : "multirun";
        return Path.GetFullPath(dir, workingDirectory);
    }

    [GeneratedRegex(@"^[\w\-. /]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidKey();
}
