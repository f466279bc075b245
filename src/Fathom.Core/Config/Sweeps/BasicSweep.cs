namespace Fathom.Config;

/// <summary>
/// Hydra's basic sweeper: every sweep override expanded to its values, and the Cartesian product of them in argument
/// order, the first override varying slowest (job numbers 0…N−1). Overrides that are not sweeps are passed to every
/// job. Each job is a list of override strings, as each job records them in its <c>overrides.yaml</c>.
/// </summary>
internal static class BasicSweep
{
    /// <summary>One job of a multirun: its number and its overrides (the strings a single run is composed with).</summary>
    public sealed record Job(int Number, IReadOnlyList<string> Overrides);

    /// <summary>At most this many jobs; a larger sweep is surely a typo (<c>range(0,1e9)</c>).</summary>
    public const int MaxJobs = 10_000;

    /// <summary>The jobs of a multirun.</summary>
    /// <param name="overrides">The parsed command-line overrides.</param>
    /// <param name="groupOptions">The options of a config group (for <c>glob(…)</c>); null when there is no such group.</param>
    /// <param name="random">Drives <c>shuffle(…)</c>.</param>
    public static IReadOnlyList<Job> Expand(IReadOnlyList<Override> overrides, Func<string, IReadOnlyList<string>?> groupOptions, Random random)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(groupOptions);
        ArgumentNullException.ThrowIfNull(random);
        var axes = new List<IReadOnlyList<string>>();
        foreach (var o in overrides)
        {
            if (o.Value is not Sweep sweep)
            {
                axes.Add([o.Input]);
                continue;
            }

            if (o.IsHydraOverride)
            {
                throw new ConfigException(o.Source, o.Key, $"Sweeping over Hydra's configuration is not supported : '{o.Input}'");
            }

            var prefix = o.Input[..(o.Input.IndexOf('=', StringComparison.Ordinal) + 1)];
            var values = Values(o, sweep, groupOptions).Select(v => prefix + v).ToList();
            if (sweep.Shuffle)
            {
                var shuffled = values.ToArray();
                random.Shuffle(shuffled);
                values = [.. shuffled];
            }

            axes.Add(values);
        }

        long total = 1;
        foreach (var axis in axes)
        {
            total *= axis.Count;
            if (total > MaxJobs)
            {
                throw new ConfigException((SourcePosition?)null, "", $"the sweep makes more than {MaxJobs:N0} jobs; narrow it.");
            }
        }

        var jobs = new List<Job>((int)total);
        var indexes = new int[axes.Count];
        for (var n = 0; n < total; n++)
        {
            jobs.Add(new Job(n, [.. axes.Select((a, i) => a[indexes[i]])]));
            // Odometer with the last axis turning fastest.
            for (var i = axes.Count - 1; i >= 0; i--)
            {
                if (++indexes[i] < axes[i].Count)
                {
                    break;
                }

                indexes[i] = 0;
            }
        }

        return jobs;
    }

    private static IEnumerable<string> Values(Override o, Sweep sweep, Func<string, IReadOnlyList<string>?> groupOptions) => sweep switch
    {
        ChoiceSweep c => c.Choices.Select(SweepValues.ToOverrideText),
        RangeSweep r => SweepValues.RangeValues(r, o.Source).Select(SweepValues.ToOverrideText),
        GlobSweep g => Glob(o, g, groupOptions(o.Key)),
        IntervalSweep => throw new ConfigException(o.Source, o.Key, $"the basic sweeper cannot sweep an interval ('{o.Input}'); give a choice or range, or use a tuner."),
        _ => throw new ConfigException(o.Source, o.Key, $"unsupported sweep '{o.Input}'."),
    };

    private static IEnumerable<string> Glob(Override o, GlobSweep glob, IReadOnlyList<string>? options)
    {
        if (options is null)
        {
            throw new ConfigException(o.Source, o.Key, $"glob(…) selects options of a config group, and '{o.Key}' is not one.");
        }

        return options.Where(name => glob.Include.Any(p => GlobMatch(p, name)) && !glob.Exclude.Any(p => GlobMatch(p, name)));
    }

    /// <summary>Python's <c>fnmatch</c> (case-sensitive): <c>*</c>, <c>?</c>, <c>[seq]</c>.</summary>
    public static bool GlobMatch(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[' when pattern.IndexOf(']', i + 1) is var close and > 0:
                    var set = pattern[(i + 1)..close];
                    regex.Append('[').Append(set.StartsWith('!') ? "^" + System.Text.RegularExpressions.Regex.Escape(set[1..]) : System.Text.RegularExpressions.Regex.Escape(set)).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(System.Text.RegularExpressions.Regex.Escape(c.ToString()));
                    break;
            }
        }

        return System.Text.RegularExpressions.Regex.IsMatch(name, regex.Append('$').ToString(), System.Text.RegularExpressions.RegexOptions.Singleline);
    }
}
