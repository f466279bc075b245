using System.Buffers;
using System.Text;
using System.Text.Json;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Server.Tests;

public sealed class MetricHistoryWritingTests
{
    [Theory]
    [InlineData("loss", 0.1)]
    [InlineData("loss", 1e-5)]
    [InlineData("loss", 1e20)]
    [InlineData("loss", -0.0)]
    [InlineData("loss", 1.0 / 3)]
    [InlineData("loss", double.MaxValue)]
    [InlineData("loss", double.MinValue)]
    [InlineData("loss", double.Epsilon)]
    [InlineData("loss", double.NaN)]
    [InlineData("loss", double.PositiveInfinity)]
    [InlineData("loss", double.NegativeInfinity)]
    [InlineData("val \"acc\" é/ü\\ 日本", 42.0)]
    public void MetricPointJson_WritesWhatThePerPropertyWriterWrites(string key, double value)
    {
        var point = new MetricPoint(value, long.MaxValue, long.MinValue);
        var encodedKey = JsonEncodedText.Encode(key, MlflowJson.WriterOptions.Encoder);

        var expected = WriteArray(writer =>
        {
            MlflowJson.WriteMetric(writer, encodedKey, point.ToMetric(key));
            MlflowJson.WriteMetric(writer, encodedKey, new Metric(key, 2.5, 0, -1));
        });
        var json = new MetricPointJson(encodedKey);
        var actual = WriteArray(writer =>
        {
            json.Write(writer, point);
            json.Write(writer, new MetricPoint(2.5, 0, -1));
        });

        Assert.Equal(expected, actual);
        Assert.Equal(key, JsonDocument.Parse(actual).RootElement[0].GetProperty("key").GetString());
    }

    [Fact]
    public async Task MetricReadAhead_YieldsEveryPointInOrderAcrossChunks()
    {
        await using var points = new MetricReadAhead(Points(10_000), CancellationToken.None);
        var steps = new List<long>();
        while (await points.MoveNextAsync())
        {
            steps.Add(points.Current.Step);
        }

        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => (long)i), steps);
    }

    [Fact]
    public async Task MetricReadAhead_StoreFailure_SurfacesAtTheReader()
    {
        await using var points = new MetricReadAhead(Failing(5000), CancellationToken.None);
        var read = 0;

        var failure = await Assert.ThrowsAsync<TrackingException>(async () =>
        {
            while (await points.MoveNextAsync())
            {
                read++;
            }
        });

        Assert.Equal("store went away", failure.Message);
        Assert.True(read <= 5000);
    }

    [Fact]
    public async Task MetricReadAhead_DisposedEarly_StopsTheStoreRead()
    {
        var released = new TaskCompletionSource();
        var points = new MetricReadAhead(Endless(released), CancellationToken.None);
        Assert.True(await points.MoveNextAsync());

        await points.DisposeAsync();

        // The store's reader was disposed (its connection released) by the time DisposeAsync returned.
        Assert.True(released.Task.IsCompleted);
    }

    private static string WriteArray(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, MlflowJson.WriterOptions))
        {
            writer.WriteStartArray();
            write(writer);
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static async IAsyncEnumerable<MetricPoint> Points(int count)
    {
        await Task.Yield();
        for (var i = 0; i < count; i++)
        {
            yield return new MetricPoint(i, i, i);
        }
    }

    private static async IAsyncEnumerable<MetricPoint> Failing(int before)
    {
        await foreach (var point in Points(before))
        {
            yield return point;
        }

        throw TrackingException.Invalid("store went away");
    }

    private static async IAsyncEnumerable<MetricPoint> Endless(TaskCompletionSource released, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            for (var i = 0L; ; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                yield return new MetricPoint(i, i, i);
            }
        }
        finally
        {
            released.SetResult();
        }
    }
}
