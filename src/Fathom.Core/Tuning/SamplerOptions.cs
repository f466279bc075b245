namespace Fathom.Tuning;

/// <summary>The options of one sampler kind; <see cref="Samplers.Create"/> builds the sampler they describe.</summary>
internal abstract record SamplerOptions;

/// <summary>Builds samplers from their options, the one place that maps an options record to its sampler.</summary>
internal static class Samplers
{
    public static ISampler Create(SamplerOptions options) => options switch
    {
        TpeOptions tpe => new TpeSampler(tpe),
        RandomOptions random => new RandomSampler(random),
        GridOptions grid => new GridSampler(grid),
        NsgaIIOptions nsga => new NsgaIISampler(nsga),
        CmaEsOptions cma => new CmaEsSampler(cma),
        null => throw new ArgumentNullException(nameof(options)),
        _ => throw new ArgumentException($"Unknown sampler options {options.GetType().Name}.", nameof(options)),
    };
}
