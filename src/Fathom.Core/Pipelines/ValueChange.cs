using System.Globalization;

namespace Fathom.Pipelines;

/// <summary>One metric or param compared between two versions; null where a side lacks it.</summary>
internal sealed record ValueChange(string File, string Key, object? Old, object? New)
{
    /// <summary>
    /// New minus old when both are numbers, as Python's <c>new - old</c> in DVC's diff: an int when both are ints
    /// (booleans count as ints there), else a float; null otherwise (DVC then has no "diff").
    /// </summary>
    public object? Difference => (Old, New) switch
    {
        (long or bool, long or bool) => (object?)(Integer(New) - Integer(Old)),
        (long or bool or double, long or bool or double) => (object?)(Number(New) - Number(Old)),
        _ => (object?)null,
    };

    public bool Changed => !PipelineValues.PythonEquals(Old, New);

    private static double Number(object? value) => Integer(value) ?? Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static long? Integer(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        _ => null,
    };
}
