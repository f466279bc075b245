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

    /// <summary>
    /// DVC's <c>naturalsize</c> (dvc/utils/humanize.py): below 1024 the plain number, else tqdm's <c>format_sizeof</c>
    /// with divisor 1024 — three significant digits and a k/M/G… suffix, e.g. <c>4.00k</c>, <c>12.5M</c>, <c>100G</c>.
    /// </summary>
    public static string NaturalSize(long value)
    {
        if (value < 1024)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        double number = value;
        foreach (var unit in new[] { "", "k", "M", "G", "T", "P", "E", "Z" })
        {
            if (Math.Abs(number) < 999.5)
            {
                var digits = Math.Abs(number) < 9.995 ? "0.00" : Math.Abs(number) < 99.95 ? "0.0" : "0";
                return number.ToString(digits, CultureInfo.InvariantCulture) + unit;
            }

            number /= 1024;
        }

        return number.ToString("0.0", CultureInfo.InvariantCulture) + "Y";
    }
}
