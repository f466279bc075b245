using Fathom.Config;

namespace Fathom.Workflows;

/// <summary>
/// The <c>data_prep</c> section of a Hydra-style config, as the reference template writes it:
/// <c>raw_dirs_paths</c> (a list of raw review folders) → <c>--input</c>, <c>processed_data_path</c> → <c>--output</c>.
/// </summary>
internal sealed class PreparationConfig
{
    /// <summary>The section's key.</summary>
    public const string Section = "data_prep";

    public IReadOnlyList<string>? RawDirsPaths { get; init; }

    public string? ProcessedDataPath { get; init; }

    public static PreparationConfig From(ConfigMap resolved) => ConfigBinder.Bind<PreparationConfig>(resolved, Section);
}
