namespace Fathom.Bench;

/// <summary>Measurements too long or too end-to-end for BenchmarkDotNet: training, batch scoring.</summary>
internal static class EndToEnd
{
    public static readonly Dictionary<string, Func<string[], Task<int>>> Commands = new(StringComparer.Ordinal)
    {
        ["imdb"] = ImdbBenchmark.RunAsync,
        ["serving"] = ServingBenchmark.RunAsync,
        ["predict"] = PredictBenchmark.RunAsync,
        ["tracking-server"] = TrackingServerBenchmark.RunAsync,
        ["tracking-server-process"] = TrackingServerProcessBenchmark.RunCommandAsync,
        ["tracking-latency"] = TrackingLatencyBenchmark.RunAsync,
        ["data"] = DataBenchmark.RunAsync,
        ["pipeline"] = PipelineBenchmark.RunAsync,
        ["registry"] = RegistryBenchmark.RunAsync,
        ["signin"] = SignInBenchmark.RunAsync,
        ["config"] = ConfigBenchmark.RunAsync,
        ["jobs"] = JobsBenchmark.RunAsync,
        ["jobs-server"] = JobsServerBenchmark.RunAsync,
        ["services"] = ServiceProxyBenchmark.RunAsync,
        ["tuning"] = TuningBenchmark.RunAsync,
        ["tune-distributed"] = TuneDistributedBenchmark.RunAsync,
        ["tune-distributed-worker"] = TuneDistributedBenchmark.WorkerAsync,
        ["dashboard"] = DashboardBenchmark.RunAsync,
        ["endpoint-swap"] = EndpointSwapBenchmark.RunAsync,
    };
}
