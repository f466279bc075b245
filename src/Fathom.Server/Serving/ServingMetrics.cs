using Prometheus;

namespace Fathom.Serving;

/// <summary>
/// The serving host's Prometheus metrics, on a registry of its own (so two hosts in one process, as in tests, keep
/// apart, and no process-wide default collectors are scraped): requests and errors by route and status, latency,
/// the size of each model call, and the served model as an info metric.
/// </summary>
internal sealed class ServingMetrics
{
    private readonly Counter _requests;
    private readonly Counter _errors;
    private readonly Histogram _duration;
    private readonly Histogram _batchSize;
    private readonly Counter _reviews;

    public ServingMetrics(ServedModel served)
    {
        ArgumentNullException.ThrowIfNull(served);
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        // Routes are the endpoint's pattern, never the raw path, so a scan of made-up paths cannot grow the label set.
        _requests = factory.CreateCounter("fathom_serving_requests_total", "HTTP requests answered, by route pattern, method and status code.", ["route", "method", "status"]);
        _errors = factory.CreateCounter("fathom_serving_request_errors_total", "HTTP requests answered with a 4xx (client) or 5xx (server) status, by route pattern.", ["route", "kind"]);
        _duration = factory.CreateHistogram("fathom_serving_request_duration_seconds", "Time from the request reaching the host to its answer being written, by route pattern.",
            new HistogramConfiguration
            {
                LabelNames = ["route"],
                Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            });
        _batchSize = factory.CreateHistogram("fathom_serving_batch_size", "Reviews scored per model call (a request's reviews, or several requests' when micro-batched).",
            new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096] });
        _reviews = factory.CreateCounter("fathom_serving_reviews_scored_total", "Reviews scored.");
        factory.CreateGauge("fathom_serving_model_info", "The served model: always 1, its id in the labels.", ["model_uuid", "mlnet_version"])
            .WithLabels(served.ModelUuid, Models.ModelFolder.MlnetVersion).Set(1);
    }

    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    public void RecordRequest(string route, string method, int status, double seconds)
    {
        _requests.WithLabels(route, method, StatusText(status)).Inc();
        _duration.WithLabels(route).Observe(seconds);
        if (status >= 400)
        {
            _errors.WithLabels(route, status >= 500 ? "server" : "client").Inc();
        }
    }

    public void RecordBatch(int size)
    {
        _batchSize.Observe(size);
        _reviews.Inc(size);
    }

    // The few statuses this host answers, without a string per request.
    private static string StatusText(int status) => status switch
    {
        200 => "200",
        400 => "400",
        404 => "404",
        405 => "405",
        413 => "413",
        415 => "415",
        422 => "422",
        500 => "500",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
