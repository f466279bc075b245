using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fathom.Tuning;

/// <summary>
/// Distributions as JSON in Optuna's storage format (<c>optuna.distributions.distribution_to_json</c>):
/// <c>{"name": "FloatDistribution", "attributes": {"low": 0.1, "high": 0.3, "step": 0.025, "log": false}}</c>. A stored
/// trial's params read back with exactly the distribution they were sampled from; floats keep their decimal point, so a
/// categorical choice 1.0 does not come back as the integer 1.
/// </summary>
internal static class DistributionJson
{
    public static string Write(ParamDistribution distribution)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            switch (distribution)
            {
                case FloatDistribution f:
                    json.WriteString("name", "FloatDistribution");
                    json.WriteStartObject("attributes");
                    json.WritePropertyName("low");
                    WriteDouble(json, f.Low);
                    json.WritePropertyName("high");
                    WriteDouble(json, f.High);
                    json.WritePropertyName("step");
                    if (f.Step is { } step)
                    {
                        WriteDouble(json, step);
                    }
                    else
                    {
                        json.WriteNullValue();
                    }

                    json.WriteBoolean("log", f.Log);
                    json.WriteEndObject();
                    break;
                case IntDistribution i:
                    json.WriteString("name", "IntDistribution");
                    json.WriteStartObject("attributes");
                    json.WriteNumber("low", i.Low);
                    json.WriteNumber("high", i.High);
                    json.WriteNumber("step", i.Step);
                    json.WriteBoolean("log", i.Log);
                    json.WriteEndObject();
                    break;
                case CategoricalDistribution c:
                    json.WriteString("name", "CategoricalDistribution");
                    json.WriteStartObject("attributes");
                    json.WriteStartArray("choices");
                    foreach (var choice in c.Choices)
                    {
                        WriteValue(json, choice);
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                    break;
                default:
                    throw new ArgumentException($"Unknown distribution {distribution.GetType().Name}.", nameof(distribution));
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static ParamDistribution Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        var attributes = root.GetProperty("attributes");
        return root.GetProperty("name").GetString() switch
        {
            "FloatDistribution" => new FloatDistribution(
                attributes.GetProperty("low").GetDouble(),
                attributes.GetProperty("high").GetDouble(),
                attributes.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.Number ? step.GetDouble() : null,
                attributes.TryGetProperty("log", out var log) && log.GetBoolean()),
            "IntDistribution" => new IntDistribution(
                attributes.GetProperty("low").GetInt64(),
                attributes.GetProperty("high").GetInt64(),
                attributes.TryGetProperty("step", out var intStep) && intStep.ValueKind == JsonValueKind.Number ? intStep.GetInt64() : 1,
                attributes.TryGetProperty("log", out var intLog) && intLog.GetBoolean()),
            "CategoricalDistribution" => new CategoricalDistribution([.. attributes.GetProperty("choices").EnumerateArray().Select(ReadValue)]),
            var name => throw new InvalidDataException($"Unknown distribution '{name}' in a stored study."),
        };
    }

    /// <summary>A scalar (null, bool, long, double, string) as JSON, doubles with their decimal point.</summary>
    public static void WriteValue(Utf8JsonWriter json, object? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case double d:
                WriteDouble(json, d);
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            default:
                throw new ArgumentException($"Cannot store a {value.GetType().Name} as a param value.", nameof(value));
        }
    }

    /// <summary>A JSON scalar read back as <see cref="WriteValue"/> wrote it (a number without '.', 'e' or 'E' is a long).</summary>
    public static object? ReadValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number when element.GetRawText().AsSpan().IndexOfAny(".eE") < 0 && element.TryGetInt64(out var l) => l,
        JsonValueKind.Number => element.GetDouble(),
        _ => throw new InvalidDataException($"A stored param value must be a scalar, not {element.ValueKind}."),
    };

    private static void WriteDouble(Utf8JsonWriter json, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Cannot store {value} in a distribution: JSON has no NaN or infinity.", nameof(value));
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        json.WriteRawValue(text.AsSpan().IndexOfAny(".E") < 0 ? text + ".0" : text);
    }
}
