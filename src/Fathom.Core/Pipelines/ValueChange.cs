namespace Fathom.Pipelines;

/// <summary>One metric or param compared between two versions; null where a side lacks it.</summary>
internal sealed record ValueChange(string File, string Key, object? Old, object? New)
{
    /// <summary>New minus old when both are numbers (DVC's "Change" column).</summary>
    public double? Difference => Old is long or double && New is long or double ? Convert.ToDouble(New, System.Globalization.CultureInfo.InvariantCulture) - Convert.ToDouble(Old, System.Globalization.CultureInfo.InvariantCulture) : null;

    public bool Changed => !PipelineValues.PythonEquals(Old, New);
}
