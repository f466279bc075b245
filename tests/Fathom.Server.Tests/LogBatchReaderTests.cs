using System.Globalization;
using System.Text;
using Fathom.Mlflow;
using Fathom.Tracking;

namespace Fathom.Server.Tests;

/// <summary>
/// log-batch's one-pass reader against the general request reader: whatever body the fast pass accepts, the general
/// reader must read to the same batch; what it declines, the general reader decides (and words the error).
/// </summary>
public sealed class LogBatchReaderTests
{
    [Fact]
    public void TryRead_PythonClientBody_ReadsEveryField()
    {
        // As MLflow's Python client sends it: protobuf JSON, non-finite doubles and int64s as strings.
        var body = """
            {"run_id": "r1", "metrics": [
              {"key": "loss", "value": 0.25, "timestamp": 1700000000000, "step": 3},
              {"key": "loss", "value": "NaN", "timestamp": "1700000000001", "step": "4"},
              {"key": "acc", "value": "-Infinity", "timestamp": 5},
              {"key": "acc", "value": 1e3, "timestamp": 6, "step": -2}],
             "params": [{"key": "lr", "value": "0.1"}, {"key": "empty"}],
             "tags": [{"key": "team", "value": "nlp"}]}
            """u8;

        var batch = LogBatchReader.TryRead(body);

        Assert.NotNull(batch);
        Assert.Equal("r1", batch.RunId);
        Assert.Equal(
            [new Metric("loss", 0.25, 1700000000000, 3), new Metric("loss", double.NaN, 1700000000001, 4), new Metric("acc", double.NegativeInfinity, 5, 0), new Metric("acc", 1000, 6, -2)],
            batch.Metrics);
        Assert.Same(batch.Metrics[0].Key, batch.Metrics[1].Key);
        Assert.Equal([new Param("lr", "0.1"), new Param("empty", "")], batch.Params);
        Assert.Equal([new Tag("team", "nlp")], batch.Tags);
    }

    [Theory]
    [InlineData("""{"unknown": {"deep": [1, {"x": null}]}, "run_id": "r", "metrics": [{"key": "a", "extra": [true], "value": 1, "timestamp": 1}]}""", "r", "a", 1)]
    [InlineData("""{"run_id": "r", "metrics": [{"key": "m\u00e9", "value": 1, "timestamp": 1, "step": null}]}""", "r", "mé", 1)]
    public void TryRead_UnknownFields_ReadAsTheGeneralReaderDoes(string json, string runId, string key, double value)
    {
        var fast = LogBatchReader.TryRead(Encoding.UTF8.GetBytes(json));
        var general = LogBatchReader.Read(MlflowRequest.FromBytes(Encoding.UTF8.GetBytes(json)));

        Assert.NotNull(fast);
        Assert.Equal(runId, fast.RunId);
        Assert.Equal(new Metric(key, value, fast.Metrics[0].Timestamp, 0), fast.Metrics[0]);
        AssertSame(general, fast);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"run_id": "r"} trailing""")]
    [InlineData("""{"run_id": null}""")]
    [InlineData("""{"run_id": ""}""")]
    [InlineData("""{"run_id": "r", "metrics": {}}""")]
    [InlineData("""{"run_id": "r", "metrics": [{"key": "m", "value": true, "timestamp": 1}]}""")]
    [InlineData("""{"run_id": "r", "metrics": [{"key": "m", "value": 1}]}""")]
    [InlineData("""{"run_id": "r", "metrics": [{"key": "m", "value": 1, "timestamp": 1.5}]}""")]
    [InlineData("\"{\\\"run_id\\\": \\\"r\\\"}\"")]
    public void TryRead_BodiesForTheGeneralReader_AreDeclined(string json)
    {
        Assert.Null(LogBatchReader.TryRead(Encoding.UTF8.GetBytes(json)));
    }

    // A body that says one thing twice could be read two ways; both readers refuse it, at any depth.
    [Theory]
    [InlineData("""{"run_id": "r", "run_id": "other"}""")]
    [InlineData("""{"run_id": "r", "metrics": [], "metrics": [{"key": "a", "value": 1, "timestamp": 1}]}""")]
    [InlineData("""{"run_id": "r", "metrics": [{"key": "a", "value": 1, "value": 2, "timestamp": 1}]}""")]
    [InlineData("""{"run_id": "r", "params": [{"key": "a", "value": "1", "key": "b"}]}""")]
    [InlineData("""{"run_id": "r", "unknown": 1, "unknown": 2}""")]
    [InlineData("""{"run_id": "r", "unknown": [{"deep": {"x": 1, "x": 2}}]}""")]
    [InlineData("""{"run_id": "r", "metrics": [{"key": "a", "value": 1, "timestamp": 1, "extra": {"y": [], "y": null}}]}""")]
    public void DuplicateKeys_AreDeclinedByTheFastPass_AndRefusedByTheGeneralReader(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.Null(LogBatchReader.TryRead(bytes));
        var refused = Assert.Throws<TrackingException>(() => LogBatchReader.Read(MlflowRequest.FromBytes(bytes)));
        Assert.StartsWith("Malformed JSON request body: Duplicate property", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_GeneratedBodies_AgreeWithTheGeneralReader()
    {
        var random = new Random(20261201);
        var (accepted, generalAccepted) = (0, 0);
        for (var i = 0; i < 4000; i++)
        {
            var json = GeneratedBody(random);
            var bytes = Encoding.UTF8.GetBytes(json);
            var fast = LogBatchReader.TryRead(bytes);
            LogBatch? general;
            try
            {
                general = LogBatchReader.Read(MlflowRequest.FromBytes(bytes));
            }
            catch (TrackingException)
            {
                general = null;
            }
            catch (FormatException)
            {
                // JsonElement.GetDouble on a number it cannot hold: the general reader's own failure, unchanged.
                general = null;
            }

            if (fast is not null)
            {
                Assert.True(general is not null, $"fast reader accepted what the general one refuses: {json}");
                AssertSame(general, fast);
                accepted++;
            }

            generalAccepted += general is null ? 0 : 1;
        }

        // The fast pass must take the bulk of the valid bodies, or it would only be a slower route to the general one.
        // (It declines a wrong type even when a later repeat of the field would replace it.)
        Assert.InRange(generalAccepted, 500, 4000);
        Assert.InRange(accepted, generalAccepted * 9 / 10, generalAccepted);
    }

    private static void AssertSame(LogBatch expected, LogBatch actual)
    {
        Assert.Equal(expected.RunId, actual.RunId);
        Assert.Equal(expected.Params, actual.Params);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Metrics.Count, actual.Metrics.Count);
        for (var i = 0; i < expected.Metrics.Count; i++)
        {
            var (e, a) = (expected.Metrics[i], actual.Metrics[i]);
            // Bit for bit: -0.0 and 0.0 are equal doubles but not the same stored value.
            Assert.True(e.Key == a.Key && e.Timestamp == a.Timestamp && e.Step == a.Step && BitConverter.DoubleToInt64Bits(e.Value) == BitConverter.DoubleToInt64Bits(a.Value), $"{e} != {a}");
        }
    }

    // Mostly well-formed bodies in the shapes clients send, with a share of everything the readers must agree on:
    // repeated and unknown fields, nulls, strings for numbers, escapes, odd numbers, wrong types, broken JSON.
    private static string GeneratedBody(Random random)
    {
        var fields = new List<string>();
        if (random.Next(10) > 0)
        {
            fields.Add($"\"run_id\": {Pick(random, "\"run-1\"", "\"run-1\"", "\"run-1\"", "\"r\\u0031\"", "\"\"", "null", "7")}");
        }

        if (random.Next(10) > 0)
        {
            var count = random.Next(20) == 0 ? 1001 : random.Next(6);
            fields.Add($"\"metrics\": {(random.Next(30) == 0 ? Pick(random, "null", "{}", "\"x\"", "[1]") : "[" + string.Join(",", Enumerable.Range(0, count).Select(_ => GeneratedMetric(random))) + "]")}");
        }

        foreach (var name in new[] { "params", "tags" })
        {
            if (random.Next(3) == 0)
            {
                var count = random.Next(25) == 0 ? 101 : random.Next(4);
                fields.Add($"\"{name}\": [" + string.Join(",", Enumerable.Range(0, count).Select(i => GeneratedPair(random, i))) + "]");
            }
        }

        if (random.Next(4) == 0)
        {
            fields.Add($"\"{Pick(random, "unknown", "run_uuid", "metrics_extra")}\": {Pick(random, "1", "null", "[1, {\"a\": []}]", "{\"metrics\": 5}", "\"s\"")}");
        }

        if (random.Next(8) == 0 && fields.Count > 0)
        {
            fields.Add(fields[random.Next(fields.Count)]);
        }

        Shuffle(random, fields);
        var body = "{" + string.Join(random.Next(2) == 0 ? "," : " ,\n ", fields) + "}";
        return random.Next(40) switch
        {
            0 => body + " x",
            1 => body[..^1],
            2 => "\uFEFF" + body,
            3 => "[" + body + "]",
            _ => body,
        };
    }

    private static string GeneratedMetric(Random random)
    {
        var fields = new List<string>();
        if (random.Next(25) > 0)
        {
            fields.Add($"\"key\": {Pick(random, "\"loss\"", "\"acc\"", "\"loss\"", "\"a\\u0063c\"", "\"\"", "null", "3", "\"m\\\"q\"")}");
        }

        if (random.Next(25) > 0)
        {
            fields.Add($"\"value\": {GeneratedDouble(random)}");
        }

        if (random.Next(25) > 0)
        {
            fields.Add($"\"timestamp\": {GeneratedInt64(random)}");
        }

        if (random.Next(3) > 0)
        {
            fields.Add($"\"step\": {GeneratedInt64(random)}");
        }

        if (random.Next(15) == 0)
        {
            fields.Add($"\"{Pick(random, "value", "step", "extra")}\": {Pick(random, "null", "2", "[]", "{\"key\": 1}")}");
        }

        Shuffle(random, fields);
        return "{" + string.Join(", ", fields) + "}";
    }

    private static string GeneratedPair(Random random, int i)
    {
        var key = random.Next(20) == 0 ? Pick(random, "\"\"", "null", "1") : $"\"k{i}\"";
        var value = Pick(random, "\"v\"", "\"v\"", "\"\"", "null", "2", "\"\\u00e9\"", "true");
        return random.Next(10) == 0 ? $"{{\"key\": {key}}}" : $"{{\"key\": {key}, \"value\": {value}}}";
    }

    private static string GeneratedDouble(Random random) => random.Next(16) switch
    {
        0 => Pick(random, "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"nan\"", "\"1.5\"", "\" 2 \"", "\"abc\"", "\"1e5\""),
        1 => Pick(random, "1e308", "1e400", "-1e400", "-0.0", "0", "4.9e-324", "1E-5", "123456789012345678901234567890"),
        2 => Pick(random, "true", "null", "[]", "{}"),
        _ => (random.NextDouble() * Math.Pow(10, random.Next(-5, 6)) * (random.Next(2) == 0 ? 1 : -1)).ToString("R", CultureInfo.InvariantCulture),
    };

    private static string GeneratedInt64(Random random) => random.Next(12) switch
    {
        0 => Pick(random, "\"17\"", "\"-3\"", "\" 4\"", "\"x\"", "\"1.0\"", "\"+5\""),
        1 => Pick(random, "1.5", "1e3", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-0"),
        2 => Pick(random, "null", "false", "[1]"),
        _ => random.NextInt64(-1000, 1_800_000_000_000).ToString(CultureInfo.InvariantCulture),
    };

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];

    private static void Shuffle(Random random, List<string> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
