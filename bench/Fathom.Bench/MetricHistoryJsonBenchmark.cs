using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Bench;

/// <summary>
/// get-history's JSON alone: 100,000 points written with one <see cref="Utf8JsonWriter"/> call per property
/// (the previous form, one Metric each) against <see cref="MetricPointJson"/> (each point formatted into one buffer and written raw), and the
/// double formatting both share. In process: <c>dotnet run -c Release --project bench/Fathom.Bench -- --filter *MetricHistoryJson*</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class MetricHistoryJsonBenchmark
{
    private const int Points = 100_000;
    private readonly MetricPoint[] _points = [.. Enumerable.Range(0, Points).Select(step => new MetricPoint(1.0 / (step + 1), 1_700_000_000_000L + step, step))];
    private readonly Metric[] _metrics = [.. Enumerable.Range(0, Points).Select(step => new Metric("loss", 1.0 / (step + 1), 1_700_000_000_000L + step, step))];
    private readonly ArrayBufferWriter<byte> _output = new(8 * 1024 * 1024);
    private readonly JsonEncodedText _key = JsonEncodedText.Encode("loss", MlflowJson.WriterOptions.Encoder);

    [Benchmark(Baseline = true)]
    public int PerProperty()
    {
        _output.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_output, MlflowJson.WriterOptions);
        writer.WriteStartArray();
        foreach (var metric in _metrics)
        {
            MlflowJson.WriteMetric(writer, _key, metric);
        }

        writer.WriteEndArray();
        writer.Flush();
        return _output.WrittenCount;
    }

    [Benchmark]
    public int RawPoints()
    {
        _output.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_output, MlflowJson.WriterOptions);
        var json = new MetricPointJson(_key);
        writer.WriteStartArray();
        foreach (var point in _points)
        {
            json.Write(writer, point);
        }

        writer.WriteEndArray();
        writer.Flush();
        return _output.WrittenCount;
    }

    [Benchmark]
    public int DoublesOnly()
    {
        Span<byte> buffer = stackalloc byte[32];
        var total = 0;
        foreach (var point in _points)
        {
            point.Value.TryFormat(buffer, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            total += written;
        }

        return total;
    }

    // In process: the benchmark needs no project of its own built, which takes minutes on a shared machine.
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(10));
    }
}
