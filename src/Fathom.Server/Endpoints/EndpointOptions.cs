namespace Fathom.Endpoints;

/// <summary>
/// How <c>fathom server</c> runs local endpoints: the command that starts a replica (this very <c>fathom</c>, whose
/// <c>serve</c> it runs), and the timings of a swap: how long a new replica may take to answer <c>/ping</c>, how many
/// warm-up requests it gets before it takes traffic, how long old replicas may drain, and how often the registry is
/// read for a moved alias.
/// </summary>
internal sealed class EndpointOptions
{
    /// <summary>The program and leading arguments that run <c>fathom</c> (e.g. <c>dotnet fathom.dll</c>); null: local endpoints cannot start.</summary>
    public IReadOnlyList<string>? FathomCommand { get; init; }

    /// <summary>How often each endpoint's model URI is resolved again (an alias move or stage transition starts a swap).</summary>
    public TimeSpan FollowInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a new replica has to answer <c>/ping</c>.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Scoring requests each new replica answers before it takes traffic (JIT and caches warm).</summary>
    public int WarmupRequests { get; init; } = 20;

    /// <summary>How long old replicas may finish the requests they hold before they are stopped.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public void Validate()
    {
        if (FollowInterval <= TimeSpan.Zero || ReadyTimeout <= TimeSpan.Zero || DrainTimeout < TimeSpan.Zero || WarmupRequests < 0)
        {
            throw new ArgumentException("Endpoint options: the follow interval and ready timeout must be positive, the drain timeout and warm-up count not negative.");
        }
    }
}
