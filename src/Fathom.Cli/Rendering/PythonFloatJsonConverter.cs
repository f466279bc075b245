using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Pipelines;

namespace Fathom.Cli.Rendering;

/// <summary>
/// Writes doubles as Python's <c>json.dumps</c> does (<c>1.0</c>, <c>1e-05</c>, <c>NaN</c>), so DVC-shaped JSON keeps a
/// float a float: System.Text.Json would write 1.0 as <c>1</c>, which reads back as an int.
/// </summary>
internal sealed class PythonFloatJsonConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteRawValue(value switch
        {
            double.NaN => "NaN",
            double.PositiveInfinity => "Infinity",
            double.NegativeInfinity => "-Infinity",
            _ => PipelineValues.PythonFloat(value),
        }, skipInputValidation: true);
    }
}
