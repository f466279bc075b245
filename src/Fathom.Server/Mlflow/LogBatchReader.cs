using System.Globalization;
using System.Text;
using System.Text.Json;
using Fathom.Tracking;

namespace Fathom.Mlflow;

/// <summary>
/// Reads log-batch's parameters. The body is read in one forward pass over its bytes, straight into the store's
/// shape: no document, no request object per point, one string per distinct metric key. That pass reads only what
/// it reads exactly as <see cref="MlflowRequest"/> would, and gives up on anything else (a malformed body, a wrong
/// type, a missing field, a repeated key): the general reader then decides, and words MLflow's errors, from one place.
/// Tests hold the two to the same batch on every body the fast pass accepts. MLflow's batch limits are the store's.
/// </summary>
internal static class LogBatchReader
{
    /// <summary>
    /// The request's batch, read once for the permission check and the handler: by the one-pass reader when it takes
    /// the body, else by the general reader, which reads it or refuses it with MLflow's words.
    /// </summary>
    public static LogBatch Of(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Parsed(static r => TryRead(r.RawBody) ?? Read(r));
    }

    /// <summary>The batch from the body's bytes, or null when the general reader must decide.</summary>
    public static LogBatch? TryRead(ReadOnlySpan<byte> body)
    {
        // The general reader skips a UTF-8 byte order mark, as JsonDocument does for a stream.
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        var reader = new Utf8JsonReader(body);
        try
        {
            // JsonDocument refuses anything after the root object, and so must this pass.
            return ReadRoot(ref reader) is { } batch && !reader.Read() ? batch : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Malformed JSON, or a string that is not valid UTF-8: the general reader's call.
            return null;
        }
    }

    /// <summary>The batch as the general reader reads it; MLflow's INVALID_PARAMETER_VALUE errors otherwise.</summary>
    public static LogBatch Read(MlflowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var runId = request.RequireString("run_id");
        var messages = request.Messages("metrics");
        var metrics = messages.Select(ReadMetric).ToList();
        var links = messages.Zip(metrics, MlflowTrackingApi.ReadModelLink).OfType<LoggedModelMetric>().ToList();
        var parameters = request.Messages("params").Select(p => new Param(p.RequireString("key"), p.String("value") ?? string.Empty)).ToList();
        var tags = request.Messages("tags").Select(t => new Tag(t.RequireString("key"), t.String("value") ?? string.Empty)).ToList();
        // MLflow's batch limits are the store's to enforce (TrackingValidation.ValidateBatch), for every front end.
        return new LogBatch(runId, metrics, parameters, tags) { ModelMetrics = links };
    }

    /// <summary>One metric message: key, value and timestamp required, step 0 when absent.</summary>
    public static Metric ReadMetric(MlflowRequest m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new(
            m.RequireString("key"),
            m.Double("value") ?? throw MlflowRequest.Missing("value"),
            m.Int64("timestamp") ?? throw MlflowRequest.Missing("timestamp"),
            m.Int64("step") ?? 0);
    }

    // A JSON null counts as absent, as MlflowRequest reads it. A repeated field, known or not and at any depth, is the
    // general reader's to refuse (MlflowRequest refuses duplicate keys), so this pass declines it.
    private static LogBatch? ReadRoot(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? runId = null;
        List<Metric>? metrics = null;
        List<Param>? parameters = null;
        List<Tag>? tags = null;
        var keys = new KeyStrings();
        var seen = new SeenFields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("run_id"u8))
            {
                reader.Read();
                if (!seen.First(0) || !TryString(ref reader, out runId))
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("metrics"u8))
            {
                reader.Read();
                if (!seen.First(1) || !TryMessages(ref reader, out metrics, keys, ReadMetric))
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("params"u8))
            {
                reader.Read();
                if (!seen.First(2) || !TryMessages(ref reader, out parameters, keys, (ref Utf8JsonReader r, KeyStrings _) => ReadPair(ref r) is { } p ? new Param(p.Key, p.Value) : null))
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("tags"u8))
            {
                reader.Read();
                if (!seen.First(3) || !TryMessages(ref reader, out tags, keys, (ref Utf8JsonReader r, KeyStrings _) => ReadPair(ref r) is { } p ? new Tag(p.Key, p.Value) : null))
                {
                    return null;
                }
            }
            else if (!seen.FirstUnknown(ref reader) || !SkipChecked(ref reader))
            {
                // Fields log-batch does not know are ignored, as protobuf's JSON parser in MLflow ignores them, once.
                return null;
            }
        }

        if (runId is not { Length: > 0 })
        {
            return null;
        }

        return new LogBatch(runId, metrics ?? [], parameters ?? [], tags ?? []);
    }

    private delegate T? MessageReader<T>(ref Utf8JsonReader reader, KeyStrings keys)
        where T : class;

    // A repeated message field: null is absent; anything but an array of objects is the general reader's to refuse.
    private static bool TryMessages<T>(ref Utf8JsonReader reader, out List<T>? items, KeyStrings keys, MessageReader<T> read)
        where T : class
    {
        items = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        items = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject || read(ref reader, keys) is not { } item)
            {
                return false;
            }

            items.Add(item);
        }

        return true;
    }

    private static Metric? ReadMetric(ref Utf8JsonReader reader, KeyStrings keys)
    {
        string? key = null;
        double? value = null;
        long? timestamp = null, step = null;
        var seen = new SeenFields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("key"u8))
            {
                reader.Read();
                if (!seen.First(0))
                {
                    return null;
                }

                if (reader.TokenType == JsonTokenType.String)
                {
                    key = keys.Get(ref reader);
                }
                else if (!TryString(ref reader, out key))
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                if (!seen.First(1) || !TryDouble(ref reader, out value))
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                if (!seen.First(2) || !TryInt64(ref reader, out timestamp))
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("step"u8))
            {
                reader.Read();
                if (!seen.First(3) || !TryInt64(ref reader, out step))
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("model_id"u8) || reader.ValueTextEquals("dataset_name"u8) || reader.ValueTextEquals("dataset_digest"u8))
            {
                // A metric linked to a logged model (MLflow 3) is rare: the general reader takes the whole batch.
                return null;
            }
            else if (!seen.FirstUnknown(ref reader) || !SkipChecked(ref reader))
            {
                return null;
            }
        }

        return key is { Length: > 0 } && value is { } v && timestamp is { } t ? new Metric(key, v, t, step ?? 0) : null;
    }

    private static (string Key, string Value)? ReadPair(ref Utf8JsonReader reader)
    {
        string? key = null, value = null;
        var seen = new SeenFields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("key"u8))
            {
                reader.Read();
                if (!seen.First(0) || !TryString(ref reader, out key))
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                if (!seen.First(1) || !TryString(ref reader, out value))
                {
                    return null;
                }
            }
            else if (!seen.FirstUnknown(ref reader) || !SkipChecked(ref reader))
            {
                return null;
            }
        }

        return key is { Length: > 0 } ? (key, value ?? string.Empty) : null;
    }

    // Skips an unknown field's value (the reader is on its name), declining it when an object inside repeats a key.
    private static bool SkipChecked(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return true;
        }

        var depth = reader.CurrentDepth;
        var objects = new Stack<SeenFields>();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            objects.Push(new SeenFields());
        }

        do
        {
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    objects.Push(new SeenFields());
                    break;
                case JsonTokenType.EndObject when objects.Count > 0:
                    objects.Pop();
                    break;
                case JsonTokenType.PropertyName when objects.TryPeek(out var current) && !current.FirstUnknown(ref reader):
                    return false;
            }
        }
        while (reader.CurrentDepth > depth || reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray));

        return true;
    }

    /// <summary>The fields one object has shown so far: known ones by number, others by name.</summary>
    private sealed class SeenFields
    {
        private int _known;
        private List<string>? _unknown;

        /// <summary>False when known field <paramref name="index"/> was seen before.</summary>
        public bool First(int index)
        {
            var bit = 1 << index;
            var first = (_known & bit) == 0;
            _known |= bit;
            return first;
        }

        /// <summary>False when the property name under the reader was seen before in this object.</summary>
        public bool FirstUnknown(ref Utf8JsonReader reader)
        {
            var name = reader.GetString()!;
            _unknown ??= [];
            if (_unknown.Contains(name, StringComparer.Ordinal))
            {
                return false;
            }

            _unknown.Add(name);
            return true;
        }
    }

    // A JSON string, a number as its text (MlflowRequest takes ids that way), or null for absent.
    private static bool TryString(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            // A number token is its raw text, never escaped: what JsonElement.GetRawText gives.
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            _ => null,
        };
        return reader.TokenType is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.Null;
    }

    // A JSON number, or a string as protobuf's JSON writes doubles that are no numbers ("NaN", "Infinity", "-Infinity").
    private static bool TryDouble(ref Utf8JsonReader reader, out double? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetDouble(out var number):
                value = number;
                return true;
            case JsonTokenType.String when MlflowRequest.TryParseDouble(reader.GetString()!, out var parsed):
                value = parsed;
                return true;
            default:
                return reader.TokenType == JsonTokenType.Null;
        }
    }

    // A JSON integer, or a numeric string as protobuf's JSON writes int64 values.
    private static bool TryInt64(ref Utf8JsonReader reader, out long? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var number):
                value = number;
                return true;
            case JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed):
                value = parsed;
                return true;
            default:
                return reader.TokenType == JsonTokenType.Null;
        }
    }
}
