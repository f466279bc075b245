namespace Fathom.Config;

/// <summary>
/// The part of Hydra's own config that Fathom uses, composed before the primary config as Hydra composes
/// <c>hydra/config</c> first: output folders (<c>hydra/output/default.yaml</c>), the job, and the defaults of the
/// sweepers and samplers a user can select (<c>hydra/sweeper: basic|optuna</c>, <c>hydra/sweeper/sampler: …</c>), taken
/// from Hydra 1.3 and hydra-optuna-sweeper 1.2. Hydra's groups have no files in a user's config dir; selecting one of
/// them is recorded in <see cref="ComposedConfig.Selections"/> (Hydra's <c>hydra.runtime.choices</c>).
/// </summary>
internal static class HydraDefaults
{
    /// <summary>The name errors give Hydra's own settings.</summary>
    public const string SourceName = "<hydra defaults>";

    /// <summary>Hydra's default choice for each of its groups.</summary>
    public static IReadOnlyDictionary<string, string> Choices { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["hydra/env"] = "default",
        ["hydra/callbacks"] = "null",
        ["hydra/job_logging"] = "default",
        ["hydra/hydra_logging"] = "default",
        ["hydra/hydra_help"] = "default",
        ["hydra/help"] = "default",
        ["hydra/sweeper"] = "basic",
        ["hydra/launcher"] = "basic",
        ["hydra/output"] = "default",
    };

    private const string Base = """
        hydra:
          run:
            dir: outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}
          sweep:
            dir: multirun/${now:%Y-%m-%d}/${now:%H-%M-%S}
            subdir: ${hydra.job.num}
          output_subdir: .hydra
          overrides:
            hydra: []
            task: []
          job:
            name: ???
            chdir: null
            override_dirname: ''
            id: ???
            num: ???
            config_name: ???
            config:
              override_dirname:
                kv_sep: '='
                item_sep: ','
                exclude_keys: []
          runtime:
            version: 1.3.2
            cwd: ''
            output_dir: ''
            choices: {}
          verbose: false
          mode: null
        """;

    private const string BasicSweeper = """
        max_batch_size: null
        params: null
        """;

    private const string OptunaSweeper = """
        sampler: {}
        direction: minimize
        storage: null
        study_name: null
        n_trials: 20
        n_jobs: 2
        max_failure_rate: 0.0
        search_space: null
        params: null
        custom_search_space: null
        """;

    private static readonly Dictionary<string, string> Samplers = new(StringComparer.Ordinal)
    {
        ["tpe"] = """
            seed: null
            consider_prior: true
            prior_weight: 1.0
            consider_magic_clip: true
            consider_endpoints: false
            n_startup_trials: 10
            n_ei_candidates: 24
            multivariate: false
            warn_independent_sampling: true
            """,
        ["random"] = "seed: null\n",
        ["cmaes"] = """
            seed: null
            x0: null
            sigma0: null
            independent_sampler: null
            warn_independent_sampling: true
            consider_pruned_trials: false
            restart_strategy: null
            inc_popsize: 2
            use_separable_cma: false
            source_trials: null
            """,
        ["nsgaii"] = """
            seed: null
            population_size: 50
            mutation_prob: null
            crossover_prob: 0.9
            swapping_prob: 0.5
            constraints_func: null
            """,
        ["motpe"] = """
            seed: null
            consider_prior: true
            prior_weight: 1.0
            consider_magic_clip: true
            consider_endpoints: false
            n_startup_trials: 10
            n_ehvi_candidates: 24
            """,
        ["grid"] = "{}\n",
    };

    private static readonly Lazy<ConfigMap> BaseNode = new(() => ConfigYaml.Load(Base, SourceName).Root);

    /// <summary>Hydra's base node (<c>hydra: …</c>) with the selected sweeper's and sampler's defaults.</summary>
    public static ConfigMap For(IReadOnlyDictionary<string, string> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var root = BaseNode.Value;
        var sweeper = choices.GetValueOrDefault("hydra/sweeper");
        ConfigMap? sweeperNode = sweeper switch
        {
            "basic" => ConfigYaml.Load(BasicSweeper, SourceName).Root,
            "optuna" => ConfigYaml.Load(OptunaSweeper, SourceName).Root,
            _ => null,
        };
        if (sweeperNode is null)
        {
            return root;
        }

        if (sweeper == "optuna" && choices.TryGetValue("hydra/sweeper/sampler", out var sampler) && Samplers.TryGetValue(sampler, out var samplerYaml))
        {
            sweeperNode = sweeperNode.With("sampler", ConfigYaml.Load(samplerYaml, SourceName).Root);
        }

        return (ConfigMap)ConfigMerge.Merge(root, ConfigMerge.Place("hydra.sweeper", sweeperNode));
    }

    /// <summary>The default of a Hydra group that only exists once another is selected (optuna's sampler is tpe).</summary>
    public static string? ImpliedChoice(string group, IReadOnlyDictionary<string, string> choices) =>
        group == "hydra/sweeper/sampler" && choices.GetValueOrDefault("hydra/sweeper") == "optuna" ? "tpe" : null;
}
