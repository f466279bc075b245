using Fathom.Mlflow;

namespace Fathom.Jobs;

/// <summary>Wires the job queue into a tracking-server host: the job store over the server's store, the queue, the dispatcher.</summary>
internal static class JobsServiceCollectionExtensions
{
    public static IServiceCollection AddJobs(this IServiceCollection services, TrackingServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var jobs = options.Jobs ?? new JobServerOptions();
        jobs.Validate();
        services.AddSingleton(jobs);
        // The same database as tracking (SQLite or PostgreSQL), opened and migrated once; disposed with the host.
        services.AddSingleton(sp => PostgresJobStore.Register(new JobStores()).Open(options.Store, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new JobQueue(sp.GetRequiredService<IJobStore>(), Agent(options, jobs), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<JobDispatcher>();
        services.AddSingleton<ServiceProxy>();
        return services;
    }

    // The agent configuration the CLI would use for this store: the given file, else agent.yaml in the store's folder.
    private static AgentConfig Agent(TrackingServerOptions options, JobServerOptions jobs)
    {
        var folder = options.Store.LocalFolder;
        var path = jobs.AgentFile ?? Path.Combine(folder, "agent.yaml");
        return File.Exists(path) || jobs.AgentFile is not null ? AgentConfig.Read(Path.GetFullPath(path), folder) : AgentConfig.Default(folder);
    }
}
