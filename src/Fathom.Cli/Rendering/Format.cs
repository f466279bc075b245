using System.Globalization;

namespace Fathom.Cli.Rendering;

/// <summary>How times, durations and numbers read in the terminal.</summary>
internal static class Format
{
    public static string Time(long? epochMs) => epochMs is null
        ? "-"
        : DateTimeOffset.FromUnixTimeMilliseconds(epochMs.Value).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Duration(long start, long? end)
    {
        if (end is null)
        {
            return "-";
        }

        var span = TimeSpan.FromMilliseconds(Math.Max(0, end.Value - start));
        return span.TotalSeconds < 60 ? $"{span.TotalSeconds:0.0}s"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes}m {span.Seconds}s"
            : $"{(int)span.TotalHours}h {span.Minutes}m";
    }

    // Whole numbers (counts, sizes) print in full; fractions keep six significant digits.
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : Math.Abs(value) < 1e15 && value == Math.Floor(value) ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("G6", CultureInfo.InvariantCulture);

    public static string Bytes(long? bytes) => bytes switch
    {
        null => "",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes / (1024.0 * 1024):0.0} MiB",
    };
}
