using System.Globalization;
using System.Security;
using System.Text;
using Fathom.Tuning;

namespace Fathom.Cli.Rendering;

/// <summary>
/// The plots Optuna's visualisation module draws, as standalone SVG files (no script, no dependency): optimisation history
/// (each objective by trial with its best so far), parallel coordinates (every param and the first objective, a line per
/// complete trial, darker is better), slice (the first objective against each param), the Pareto front (the first two
/// objectives) and parameter importance (PED-ANOVA per objective).
/// </summary>
internal static class StudyPlots
{
    private const int Width = 640;
    private const int PanelHeight = 300;
    private const int Left = 72;
    private const int Right = 24;
    private const int Top = 40;
    private const int Bottom = 48;

    /// <summary>Writes the plots into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(StudyReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        void Save(string name, string svg)
        {
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, svg);
            files.Add(path);
        }

        Save("history.svg", History(report));
        Save("parallel-coordinates.svg", ParallelCoordinates(report));
        Save("slice.svg", Slice(report));
        if (report.Study.Directions.Count >= 2)
        {
            Save("pareto-front.svg", ParetoFront(report));
        }

        Save("importance.svg", Importance(report));
        return files;
    }

    /// <summary>Each objective's value by trial number, and the best value so far.</summary>
    internal static string History(StudyReport report)
    {
        var objectives = report.Objectives.Count;
        var svg = new Svg(Width, objectives * PanelHeight);
        var complete = report.Complete.OrderBy(t => t.Number).ToList();
        var numbers = report.Trials.Select(t => (double)t.Number).DefaultIfEmpty(0).ToList();
        for (var k = 0; k < objectives; k++)
        {
            var top = k * PanelHeight;
            var maximize = report.Study.Directions[k] == StudyDirection.Maximize;
            var x = Scale.Of(numbers, log: false, integer: true);
            var y = Scale.Of(complete.Select(t => t.Trial.Values![k]), log: false);
            Frame(svg, top, $"Optimisation history: {report.Objectives[k]} ({(maximize ? "maximize" : "minimize")})", "trial", report.Objectives[k], x, y);
            var best = double.NaN;
            var steps = new List<(double, double)>();
            foreach (var trial in complete)
            {
                var value = trial.Trial.Values![k];
                best = double.IsNaN(best) || (maximize ? value > best : value < best) ? value : best;
                steps.Add((trial.Number, best));
                svg.Circle(X(x, trial.Number), Y(y, top, value), 3.5, "#1f77b4", $"trial {trial.Number}: {Num(value)}");
            }

            svg.Polyline(steps.Select(p => (X(x, p.Item1), Y(y, top, p.Item2))), "#d62728", 1.5);
        }

        return svg.ToString();
    }

    /// <summary>A line per complete trial across every param's axis and the first objective's; darker is better.</summary>
    internal static string ParallelCoordinates(StudyReport report)
    {
        var complete = report.Complete.ToList();
        var names = complete.SelectMany(t => t.Trial.Params.Keys).Distinct(StringComparer.Ordinal).ToList();
        var axes = names.Count + 1;
        var svg = new Svg(Math.Max(Width, 140 * axes), PanelHeight + 40);
        // The last axis carries its tick labels and name to its right.
        var plotWidth = svg.Width - Left - Right - 90;
        svg.Text(svg.Width / 2.0, 22, $"Parallel coordinates (colour: {report.Objectives[0]})", anchor: "middle", size: 15);
        double AxisX(int i) => Left + (axes == 1 ? plotWidth / 2.0 : i * plotWidth / (double)(axes - 1));
        var scales = names.Select(n => ParamScale(complete, n)).ToList();
        var objective = Scale.Of(complete.Select(t => t.Trial.Values![0]), log: false);
        var bottom = PanelHeight + 40 - Bottom;
        double AxisY(double fraction) => bottom - (fraction * (bottom - Top));
        var ranks = Goodness(complete, report.Study.Directions[0]);
        foreach (var (trial, goodness) in complete.Zip(ranks).OrderBy(p => -p.Second))
        {
            var points = new List<(double, double)>();
            for (var i = 0; i < names.Count; i++)
            {
                if (trial.Trial.Params.TryGetValue(names[i], out var value))
                {
                    points.Add((AxisX(i), AxisY(scales[i].Fraction(value))));
                }
            }

            points.Add((AxisX(names.Count), AxisY(objective.Fraction(trial.Trial.Values![0]))));
            svg.Polyline(points, Colour(goodness), 1.4, opacity: 0.8, title: $"trial {trial.Number}");
        }

        for (var i = 0; i < axes; i++)
        {
            var scale = i < names.Count ? scales[i] : objective;
            svg.Line(AxisX(i), Top, AxisX(i), bottom, "#333", 1);
            svg.Text(AxisX(i), bottom + 20, i < names.Count ? names[i] : report.Objectives[0], anchor: "middle", size: 12, weight: "bold");
            foreach (var (fraction, label) in scale.Ticks())
            {
                svg.Text(AxisX(i) + 4, AxisY(fraction) + 4, label, size: 10);
            }
        }

        return svg.ToString();
    }

    /// <summary>The first objective against each param, one panel per param; later trials darker.</summary>
    internal static string Slice(StudyReport report)
    {
        var complete = report.Complete.ToList();
        var names = complete.SelectMany(t => t.Trial.Params.Keys).Distinct(StringComparer.Ordinal).ToList();
        var svg = new Svg(Width, Math.Max(1, names.Count) * PanelHeight);
        var y = Scale.Of(complete.Select(t => t.Trial.Values![0]), log: false);
        var last = Math.Max(1, complete.Count == 0 ? 1 : complete.Max(t => t.Number));
        for (var p = 0; p < names.Count; p++)
        {
            var top = p * PanelHeight;
            var x = ParamScale(complete, names[p]);
            Frame(svg, top, $"Slice: {report.Objectives[0]} by {names[p]}", names[p], report.Objectives[0], x, y);
            foreach (var trial in complete.Where(t => t.Trial.Params.ContainsKey(names[p])))
            {
                var age = trial.Number / (double)last;
                svg.Circle(Left + (x.Fraction(trial.Trial.Params[names[p]]) * (Width - Left - Right)), Y(y, top, trial.Trial.Values![0]), 4,
                    Colour(age), $"trial {trial.Number}: {Num(trial.Trial.Values![0])}");
            }
        }

        return svg.ToString();
    }

    /// <summary>The first two objectives of every complete trial, the Pareto front highlighted and joined.</summary>
    internal static string ParetoFront(StudyReport report)
    {
        var svg = new Svg(Width, PanelHeight + 40);
        var complete = report.Complete.ToList();
        var x = Scale.Of(complete.Select(t => t.Trial.Values![0]), log: false);
        var y = Scale.Of(complete.Select(t => t.Trial.Values![1]), log: false);
        Frame(svg, 0, $"Pareto front ({report.Best.Count} of {complete.Count} complete trials)", report.Objectives[0], report.Objectives[1], x, y, height: PanelHeight + 40);
        var front = report.Best.Select(t => t.Number).ToHashSet();
        foreach (var trial in complete.Where(t => !front.Contains(t.Number)))
        {
            svg.Circle(X(x, trial.Trial.Values![0]), Y(y, 0, trial.Trial.Values![1], PanelHeight + 40), 3.5, "#9aa5b1", $"trial {trial.Number}");
        }

        svg.Polyline(report.Best.OrderBy(t => t.Trial.Values![0]).Select(t => (X(x, t.Trial.Values![0]), Y(y, 0, t.Trial.Values![1], PanelHeight + 40))), "#d62728", 1.2, opacity: 0.7);
        foreach (var trial in report.Best)
        {
            svg.Circle(X(x, trial.Trial.Values![0]), Y(y, 0, trial.Trial.Values![1], PanelHeight + 40), 5, "#d62728", $"trial {trial.Number} (Pareto)");
        }

        return svg.ToString();
    }

    /// <summary>Horizontal bars of each param's importance, one panel per objective.</summary>
    internal static string Importance(StudyReport report)
    {
        const int Row = 26;
        var rows = report.Importance.Sum(i => Math.Max(1, i.Count)) + (report.Objectives.Count * 2);
        var svg = new Svg(Width, Top + (rows * Row));
        var y = Top - 10.0;
        var labelWidth = 180;
        for (var k = 0; k < report.Objectives.Count; k++)
        {
            svg.Text(Width / 2.0, y + 10, $"Parameter importance for {report.Objectives[k]} (PED-ANOVA)", anchor: "middle", size: 15);
            y += Row;
            if (report.Importance[k].Count == 0)
            {
                svg.Text(Left, y + 10, "(no complete trials yet)", size: 12);
                y += Row;
            }

            foreach (var (name, value) in report.Importance[k])
            {
                var length = Math.Max(0, value) * (Width - labelWidth - Right - 60);
                svg.Text(labelWidth - 8, y + 14, name, anchor: "end", size: 12);
                svg.Rect(labelWidth, y + 2, length, Row - 8, "#1f77b4", $"{name}: {Num(value)}");
                svg.Text(labelWidth + length + 6, y + 14, value.ToString("0.000", CultureInfo.InvariantCulture), size: 12);
                y += Row;
            }

            y += Row;
        }

        return svg.ToString();
    }

    private static void Frame(Svg svg, double top, string title, string xLabel, string yLabel, Scale x, Scale y, double height = PanelHeight)
    {
        var bottom = top + height - Bottom;
        svg.Text(Width / 2.0, top + 22, title, anchor: "middle", size: 15);
        svg.Line(Left, bottom, Width - Right, bottom, "#333", 1);
        svg.Line(Left, top + Top, Left, bottom, "#333", 1);
        svg.Text((Left + Width - Right) / 2.0, bottom + 36, xLabel, anchor: "middle", size: 12);
        svg.Text(16, (top + Top + bottom) / 2.0, yLabel, anchor: "middle", size: 12, rotate: true);
        foreach (var (fraction, label) in x.Ticks())
        {
            var px = Left + (fraction * (Width - Left - Right));
            svg.Line(px, bottom, px, bottom + 5, "#333", 1);
            svg.Text(px, bottom + 18, label, anchor: "middle", size: 10);
        }

        foreach (var (fraction, label) in y.Ticks())
        {
            var py = bottom - (fraction * (bottom - top - Top));
            svg.Line(Left - 5, py, Left, py, "#333", 1);
            svg.Line(Left, py, Width - Right, py, "#eee", 1);
            svg.Text(Left - 8, py + 4, label, anchor: "end", size: 10);
        }
    }

    private static double X(Scale x, double value) => Left + (x.Fraction(value) * (Width - Left - Right));

    private static double Y(Scale y, double top, double value, double height = PanelHeight)
    {
        var bottom = top + height - Bottom;
        return bottom - (y.Fraction(value) * (bottom - top - Top));
    }

    private static Scale ParamScale(IReadOnlyList<StoredTrial> trials, string name)
    {
        var distribution = trials.Select(t => t.Trial.Distributions.GetValueOrDefault(name)).LastOrDefault(d => d is not null);
        return distribution switch
        {
            CategoricalDistribution c => Scale.Categories(c.Choices.Select(v => SweepDistributions.ParamText(v)).ToList()),
            FloatDistribution f => Scale.Of([f.Low, f.High], f.Log),
            IntDistribution i => Scale.Of([i.Low, i.High], i.Log),
            _ => Scale.Of(trials.Where(t => t.Trial.Params.ContainsKey(name)).Select(t => t.Trial.Params[name]), log: false),
        };
    }

    // 1 for the best trial, 0 for the worst, by rank (robust to outliers).
    private static double[] Goodness(List<StoredTrial> trials, StudyDirection direction)
    {
        var order = trials.Select((t, i) => (Value: t.Trial.Values![0], Index: i))
            .OrderBy(p => direction == StudyDirection.Maximize ? -p.Value : p.Value).ToList();
        var goodness = new double[trials.Count];
        for (var r = 0; r < order.Count; r++)
        {
            goodness[order[r].Index] = order.Count == 1 ? 1 : 1 - (r / (double)(order.Count - 1));
        }

        return goodness;
    }

    // From light (0) to dark blue (1).
    private static string Colour(double t)
    {
        t = Math.Clamp(t, 0, 1);
        int Mix(int light, int dark) => (int)Math.Round(light + ((dark - light) * t));
        return $"#{Mix(0xc6, 0x08):x2}{Mix(0xdb, 0x30):x2}{Mix(0xef, 0x6b):x2}";
    }

    private static string Num(double value) => Format.Number(value);

    /// <summary>Maps values onto [0, 1] of an axis: linear, logarithmic or categorical, with tick labels.</summary>
    private sealed class Scale
    {
        private readonly double _low;
        private readonly double _high;
        private readonly bool _log;
        private readonly IReadOnlyList<string>? _categories;
        private readonly bool _integer;

        private Scale(double low, double high, bool log, IReadOnlyList<string>? categories, bool integer = false)
        {
            _low = low;
            _high = high;
            _log = log;
            _categories = categories;
            _integer = integer;
        }

        public static Scale Of(IEnumerable<double> values, bool log, bool integer = false)
        {
            var finite = values.Where(double.IsFinite).Where(v => !log || v > 0).ToList();
            if (finite.Count == 0)
            {
                return new Scale(0, 1, false, null);
            }

            var (low, high) = (finite.Min(), finite.Max());
            if (log)
            {
                (low, high) = (Math.Log10(low), Math.Log10(high));
            }

            if (high - low < 1e-12)
            {
                (low, high) = (low - 0.5, high + 0.5);
            }
            else
            {
                var pad = (high - low) * 0.05;
                (low, high) = (low - pad, high + pad);
            }

            return new Scale(low, high, log, null, integer);
        }

        public static Scale Categories(List<string> names) => new(0, Math.Max(1, names.Count - 1), false, names);

        public double Fraction(double value)
        {
            if (_categories is not null)
            {
                return (value + 0.5) / _categories.Count;
            }

            var v = _log ? Math.Log10(Math.Max(value, 1e-300)) : value;
            return double.IsFinite(v) ? Math.Clamp((v - _low) / (_high - _low), 0, 1) : 0;
        }

        public IEnumerable<(double Fraction, string Label)> Ticks()
        {
            if (_categories is not null)
            {
                return _categories.Select((name, i) => ((i + 0.5) / _categories.Count, name));
            }

            var raw = (_high - _low) / 5;
            var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            var step = magnitude * (raw / magnitude < 1.5 ? 1 : raw / magnitude < 3.5 ? 2 : 5);
            if (_integer)
            {
                step = Math.Max(1, Math.Round(step));
            }
            var ticks = new List<(double, string)>();
            for (var v = Math.Ceiling(_low / step) * step; v <= _high + 1e-12; v += step)
            {
                var shown = _log ? Math.Pow(10, v) : v;
                ticks.Add(((v - _low) / (_high - _low), Math.Abs(shown) < 1e-12 ? "0" : shown.ToString(_log ? "G3" : "G4", CultureInfo.InvariantCulture)));
            }

            return ticks;
        }
    }

    /// <summary>A minimal SVG document writer.</summary>
    private sealed class Svg(int width, int height)
    {
        private readonly StringBuilder _body = new();

        public int Width { get; } = width;

        public void Line(double x1, double y1, double x2, double y2, string stroke, double strokeWidth) =>
            _body.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x1:0.#}\" y1=\"{y1:0.#}\" x2=\"{x2:0.#}\" y2=\"{y2:0.#}\" stroke=\"{stroke}\" stroke-width=\"{strokeWidth:0.#}\"/>\n");

        public void Circle(double x, double y, double r, string fill, string title) =>
            _body.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"{r:0.#}\" fill=\"{fill}\"><title>{Escape(title)}</title></circle>\n");

        public void Rect(double x, double y, double w, double h, string fill, string title) =>
            _body.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{w:0.#}\" height=\"{h:0.#}\" fill=\"{fill}\"><title>{Escape(title)}</title></rect>\n");

        public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double strokeWidth, double opacity = 1, string? title = null)
        {
            var text = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:0.#},{p.Y:0.#}")));
            if (text.Length == 0)
            {
                return;
            }

            _body.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{text}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{strokeWidth:0.#}\" stroke-opacity=\"{opacity:0.##}\">");
            _body.Append(title is null ? "" : $"<title>{Escape(title)}</title>").Append("</polyline>\n");
        }

        public void Text(double x, double y, string text, string anchor = "start", int size = 12, string weight = "normal", bool rotate = false)
        {
            var transform = rotate ? string.Create(CultureInfo.InvariantCulture, $" transform=\"rotate(-90 {x:0.#} {y:0.#})\"") : "";
            _body.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{x:0.#}\" y=\"{y:0.#}\" font-size=\"{size}\" font-weight=\"{weight}\" text-anchor=\"{anchor}\"{transform}>{Escape(text)}</text>\n");
        }

        public override string ToString() =>
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\">\n" +
            $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{_body}</svg>\n";

        private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
    }
}
