namespace Fathom.Config;

/// <summary>
/// The result of composing a config dir: the tree (with Hydra's <c>hydra</c> node), the group selections (Hydra's
/// <c>hydra.runtime.choices</c>: <c>db</c> → <c>mysql</c>, <c>hydra/sweeper</c> → <c>optuna</c>,
/// <c>hydra/sweeper/sampler</c> → <c>tpe</c>), the overrides applied, and — in multirun mode — the sweep overrides set
/// aside for a sweeper. Nothing is resolved: resolve with <see cref="ConfigResolver"/>.
/// </summary>
internal sealed record ComposedConfig(
    ConfigMap Root,
    IReadOnlyDictionary<string, string> Selections,
    IReadOnlyList<Override> Overrides,
    IReadOnlyList<Override> Sweeps,
    string ConfigName,
    string ConfigDirectory)
{
    /// <summary>The task config: the tree without the <c>hydra</c> node (what <c>.hydra/config.yaml</c> holds).</summary>
    public ConfigMap Job => Root.Without("hydra");

    /// <summary>The <c>hydra</c> node (what <c>.hydra/hydra.yaml</c> holds, under <c>hydra:</c>).</summary>
    public ConfigMap Hydra => Root.TryGet("hydra") as ConfigMap ?? ConfigMap.Empty(SourcePosition.Generated);

    /// <summary><c>hydra.sweeper</c>: the selected sweeper's settings (for optuna: direction, n_trials, sampler, params, search_space…).</summary>
    public ConfigMap? Sweeper => Hydra.TryGet("sweeper") as ConfigMap;

    /// <summary>The task overrides as given (what <c>.hydra/overrides.yaml</c> lists); Hydra's own go to <c>hydra.yaml</c>.</summary>
    public IReadOnlyList<string> TaskOverrides => [.. Overrides.Where(o => !o.IsHydraOverride).Select(o => o.Input)];

    /// <summary>The task config with every interpolation resolved (against the whole tree, so <c>${hydra:…}</c> works).</summary>
    public ConfigMap ResolveJob(Func<string, string?>? environment = null, TimeProvider? time = null) =>
        ConfigResolver.ResolveWithout(Root, "hydra", environment, time);
}
