using System.Text;

namespace Fathom.Cli.Rendering;

/// <summary>
/// A line chart drawn with Unicode braille cells (2×4 dots per character), so a metric's history reads as a
/// picture in any terminal. Pure: values in, lines out.
/// </summary>
internal static class BrailleChart
{
    // Dot bit for (column 0..1, row 0..3) within one braille cell (U+2800 + bits).
    private static readonly int[,] Dots = { { 0x01, 0x02, 0x04, 0x40 }, { 0x08, 0x10, 0x20, 0x80 } };

    public static IReadOnlyList<string> Render(IReadOnlyList<double> values, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return [];
        }

        var (min, max) = (finite.Min(), finite.Max());
        var range = max - min == 0 ? 1 : max - min;
        var dotsWide = width * 2;
        var dotsHigh = height * 4;
        var cells = new int[height, width];
        int? previousY = null;
        for (var x = 0; x < dotsWide; x++)
        {
            // Each dot column shows the mean of the points that fall in it, so long histories are downsampled, not clipped.
            var from = (int)((long)x * values.Count / dotsWide);
            var to = Math.Max(from + 1, (int)((long)(x + 1) * values.Count / dotsWide));
            var bucket = values.Skip(from).Take(to - from).Where(double.IsFinite).ToArray();
            if (bucket.Length == 0)
            {
                previousY = null;
                continue;
            }

            var y = (int)Math.Round((bucket.Average() - min) / range * (dotsHigh - 1));
            var (lo, hi) = previousY is null ? (y, y) : (Math.Min(y, previousY.Value), Math.Max(y, previousY.Value));
            for (var yy = lo; yy <= hi; yy++)
            {
                var row = dotsHigh - 1 - yy;
                cells[row / 4, x / 2] |= Dots[x % 2, row % 4];
            }

            previousY = y;
        }

        var lines = new List<string>(height);
        for (var r = 0; r < height; r++)
        {
            var sb = new StringBuilder(width);
            for (var c = 0; c < width; c++)
            {
                sb.Append((char)(0x2800 + cells[r, c]));
            }

            lines.Add(sb.ToString());
        }

        return lines;
    }
}
