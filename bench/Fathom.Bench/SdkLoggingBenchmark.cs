using BenchmarkDotNet.Attributes;
using Fathom.Tracking;

namespace Fathom.Bench;

/// <summary>Target: logging 100,000 metric points through the SDK to the embedded store in under 2 s.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SdkLoggingBenchmark
{
    private string _folder = "";
    private TrackingClient _client = null!;

    [Params(100_000)]
    public int Points { get; set; }

    [IterationSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "fathom-bench", Guid.NewGuid().ToString("N"));
        _client = TrackingClient.Open(_folder);
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Description = "LogMetric ×N then EndAsync (all stored)")]
    public async Task LogMetricsAndEnd()
    {
        var run = await _client.StartRunAsync("bench", new RunOptions { CaptureLineage = false });
        for (var i = 0; i < Points; i++)
        {
            run.LogMetric(i % 2 == 0 ? "loss" : "accuracy", 1.0 / (i + 1), i / 2);
        }

        await run.EndAsync();
    }
}
