using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// Writes the points of one metric's history, each as the same JSON <see cref="MlflowJson.WriteMetric(Utf8JsonWriter, Metric)"/>
/// writes, but formatted straight into one reused buffer and handed over as a raw value: a 100,000-point history
/// spent more time in the writer's per-property checks than in reading the rows. The key's encoded bytes are
/// computed once per history, not once per point.
/// </summary>
internal sealed class MetricPointJson
{
    // Room for the value (at most 24 bytes, e.g. -1.7976931348623157E+308), two int64s (20 each) and the names.
    private const int NumbersRoom = 128;

    private static readonly byte[] ValueStart = ",\"value\":"u8.ToArray();
    private static readonly byte[] TimestampStart = ",\"timestamp\":"u8.ToArray();
    private static readonly byte[] StepStart = ",\"step\":"u8.ToArray();

    private readonly byte[] _buffer;
    private readonly int _prefixLength;

    public MetricPointJson(JsonEncodedText key)
    {
        var encodedKey = key.EncodedUtf8Bytes;
        // {"key":"<key>"
        _prefixLength = "{\"key\":\""u8.Length + encodedKey.Length + 1;
        _buffer = new byte[_prefixLength + NumbersRoom];
        "{\"key\":\""u8.CopyTo(_buffer);
        encodedKey.CopyTo(_buffer.AsSpan("{\"key\":\""u8.Length));
        _buffer[_prefixLength - 1] = (byte)'"';
    }

    /// <summary>Writes <paramref name="point"/> as the next element of the array the writer is in.</summary>
    public void Write(Utf8JsonWriter writer, MetricPoint point)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = _buffer.AsSpan();
        var length = _prefixLength;
        length += Append(span[length..], ValueStart);
        length += AppendValue(span[length..], point.Value);
        length += Append(span[length..], TimestampStart);
        length += AppendInt64(span[length..], point.Timestamp);
        length += Append(span[length..], StepStart);
        length += AppendInt64(span[length..], point.Step);
        span[length++] = (byte)'}';
        // The bytes are well-formed by construction; validating them would cost what this class saves.
        writer.WriteRawValue(span[..length], skipInputValidation: true);
    }

    private static int Append(Span<byte> destination, byte[] bytes)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    // Protobuf JSON's strings for the non-finite doubles; finite ones in the shortest form that reads back the
    // same double, as Utf8JsonWriter writes them.
    private static int AppendValue(Span<byte> destination, double value)
    {
        if (double.IsNaN(value))
        {
            return Append(destination, "\"NaN\""u8);
        }

        if (double.IsInfinity(value))
        {
            return Append(destination, value > 0 ? "\"Infinity\""u8 : "\"-Infinity\""u8);
        }

        return value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture)
            ? written
            : throw new InvalidOperationException("A double did not fit its buffer.");
    }

    private static int Append(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination);
        return bytes.Length;
    }

    private static int AppendInt64(Span<byte> destination, long value) =>
        Utf8Formatter.TryFormat(value, destination, out var written)
            ? written
            : throw new InvalidOperationException("An int64 did not fit its buffer.");
}
