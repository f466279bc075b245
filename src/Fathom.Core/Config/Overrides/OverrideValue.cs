using System.Collections.Immutable;

namespace Fathom.Config;

/// <summary>The value of an override: one element (<see cref="ElementValue"/>) or a sweep (<see cref="Sweep"/>).</summary>
internal abstract record OverrideValue;

/// <summary>A single value: a scalar, a list or a map, typed as Hydra's grammar types it.</summary>
internal sealed record ElementValue(ConfigNode Node) : OverrideValue;

/// <summary>A sweep: several values for <c>--multirun</c>, or a search space for a tuner. Tags (<c>tag(log, …)</c>) are metadata for sweepers.</summary>
internal abstract record Sweep : OverrideValue
{
    public ImmutableSortedSet<string> Tags { get; init; } = [];

    /// <summary>Set by <c>shuffle(…)</c>: the basic sweeper visits the values in random order.</summary>
    public bool Shuffle { get; init; }
}

/// <summary><c>a,b,c</c> (simple form) or <c>choice(a,b,c)</c>.</summary>
internal sealed record ChoiceSweep(ImmutableArray<ConfigNode> Choices, bool SimpleForm) : Sweep;

/// <summary>
/// <c>range(start, stop, step)</c>: <c>start + i·step</c> while below <c>stop</c> (above, for a negative step) — stop
/// exclusive for the basic sweeper. Integer when start, stop and step are all integers, else float.
/// </summary>
internal sealed record RangeSweep(double Start, double Stop, double Step, bool IsFloat) : Sweep;

/// <summary><c>interval(start, end)</c>: continuous, for optimising sweepers only; <see cref="IsInt"/> after <c>int(interval(…))</c>.</summary>
internal sealed record IntervalSweep(double Start, double End, bool IsInt) : Sweep;

/// <summary><c>glob(include, exclude)</c>: the options of a config group whose names match.</summary>
internal sealed record GlobSweep(ImmutableArray<string> Include, ImmutableArray<string> Exclude) : Sweep;
