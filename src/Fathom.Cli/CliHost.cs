using Fathom.Storage;
using Fathom.Tracking;
using Fathom.Tuning;

namespace Fathom.Cli;

/// <summary>
/// The composition root of the <c>fathom</c> process: the store kinds it opens (SQLite and tracking servers from Core,
/// PostgreSQL), the artifact stores it adds (S3-compatible), and where it reads its settings from. Made once by
/// <see cref="FathomCli"/> and carried by the command tree's root, so every command asks the same one.
/// </summary>
internal sealed class CliHost
{
    // S3-compatible services take their endpoint and credentials from the environment when first used.
    private readonly Func<ArtifactStoreResolver, ArtifactStoreResolver> _addArtifactStores = S3ArtifactStores.Register;
    private TrackingStores? _stores;
    private Jobs.JobStores? _jobStores;
    private StudyStores? _studies;

    public CliHost(Func<string, string?> environment, Func<string> workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(workingDirectory);
        Environment = environment;
        WorkingDirectory = workingDirectory;
    }

    /// <summary>The process as it runs: its environment variables and current directory.</summary>
    public static CliHost FromProcess() => new(System.Environment.GetEnvironmentVariable, Directory.GetCurrentDirectory);

    /// <summary>The store kinds this host opens; made on first use, so commands that open no store (data …) load no adapter.</summary>
    public TrackingStores Stores => LazyInitializer.EnsureInitialized(ref _stores, static () => new TrackingStores().AddPostgres());

    /// <summary>The job store kinds this host opens (SQLite, PostgreSQL), over the same store location as tracking.</summary>
    public Jobs.JobStores JobStores => LazyInitializer.EnsureInitialized(ref _jobStores, static () => Jobs.PostgresJobStore.Register(new Jobs.JobStores()));

    /// <summary>The databases that keep tuning studies (SQLite, PostgreSQL); made on first use, as <see cref="Stores"/>.</summary>
    public StudyStores Studies => LazyInitializer.EnsureInitialized(ref _studies, static () => new StudyStores().AddPostgres());

    /// <summary>Reads an environment variable.</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>The directory relative paths (and the search for <c>.fathom</c>) start from.</summary>
    public Func<string> WorkingDirectory { get; }

    /// <summary>Where runs go for a <c>--store</c> value (or none): the one resolution every command uses.</summary>
    public StoreLocation ResolveStore(string? store) => StoreLocation.Resolve(store, WorkingDirectory(), Environment);

    /// <summary>Adds the artifact stores of this host to <paramref name="artifacts"/>.</summary>
    public ArtifactStoreResolver AddArtifactStores(ArtifactStoreResolver artifacts) => _addArtifactStores(artifacts);
}
