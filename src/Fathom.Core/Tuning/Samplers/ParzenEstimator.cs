using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Fathom.Tuning;

/// <summary>
/// A mixture of product kernels over a search space (Optuna's <c>_ParzenEstimator</c>): one kernel per observation
/// plus a prior kernel, each a product over params of a truncated normal (floats), a discretised truncated normal
/// (ints and stepped floats) or a categorical row. Built once per suggestion; sampling and log density work on
/// internal representations. The continuous log density runs over the kernels eight or four at a time
/// (<see cref="Vector512"/>, <see cref="Vector256"/>); the log-sum-exp skips kernels too far below the largest to count.
/// </summary>
internal sealed class ParzenEstimator
{
    private readonly KernelColumn[] _columns;
    private readonly double[] _logWeights;
    private readonly double[] _cumulativeWeights;

    /// <param name="space">The params, in a fixed order.</param>
    /// <param name="observations">One column per param (internal representation), observations ordered oldest first.</param>
    /// <param name="options">Prior, clip and bandwidth options.</param>
    /// <param name="predeterminedWeights">Observation weights (MOTPE's hypervolume contributions) instead of the age weights.</param>
    /// <param name="orders">
    /// Per param, the observations' indices in ascending order of value, when the caller knows them (the neighbour-gap
    /// bandwidths then need no sort); ignored for categorical params.
    /// </param>
    public ParzenEstimator(
        IReadOnlyList<KeyValuePair<string, ParamDistribution>> space,
        IReadOnlyList<double[]> observations,
        ParzenOptions options,
        double[]? predeterminedWeights = null,
        IReadOnlyList<int[]>? orders = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(options);
        if (options.PriorWeight < 0)
        {
            throw new ArgumentException($"prior_weight must not be negative, not {options.PriorWeight}.", nameof(options));
        }
        var m = observations.Count == 0 ? 0 : observations[0].Length;
        var withPrior = m == 0 || options.ConsiderPrior;
        var weights = new double[m + (withPrior ? 1 : 0)];
        if (m > 0)
        {
            var w = predeterminedWeights ?? options.Weights(m);
            Array.Copy(w, weights, m);
        }
        if (withPrior)
        {
            weights[m] = m == 0 ? 1.0 : options.PriorWeight;
        }
        var total = weights.Sum();
        Weights = [.. weights.Select(w => w / total)];
        _logWeights = [.. Weights.Select(w => Math.Log(w))];
        _cumulativeWeights = new double[Weights.Length];
        var acc = 0.0;
        for (var k = 0; k < Weights.Length; k++)
        {
            acc += Weights[k];
            _cumulativeWeights[k] = acc;
        }
        _columns = new KernelColumn[space.Count];
        for (var j = 0; j < space.Count; j++)
        {
            var column = m == 0 ? [] : observations[j];
            _columns[j] = space[j].Value switch
            {
                CategoricalDistribution c => CategoricalColumn.Build(column, c, options, withPrior),
                FloatDistribution f => NumericColumn.Build(column, f.Low, f.High, f.Step, f.Log, space.Count, options, withPrior, orders?[j]),
                IntDistribution i => NumericColumn.Build(column, i.Low, i.High, i.Step, i.Log, space.Count, options, withPrior, orders?[j]),
                var d => throw new ArgumentException($"Unknown distribution {d}."),
            };
        }
    }

    /// <summary>Normalised mixture weights, observations first, the prior last.</summary>
    public double[] Weights { get; }

    public int KernelCount => Weights.Length;

    /// <summary>Draws <paramref name="count"/> points: a kernel by weight, then each param from that kernel.</summary>
    public double[][] Sample(Random rng, int count)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var samples = new double[count][];
        for (var s = 0; s < count; s++)
        {
            var u = rng.NextDouble();
            var k = Array.BinarySearch(_cumulativeWeights, u);
            k = k < 0 ? ~k : k;
            k = Math.Min(k, Weights.Length - 1);
            var point = new double[_columns.Length];
            for (var j = 0; j < _columns.Length; j++)
            {
                point[j] = _columns[j].Sample(k, rng);
            }
            samples[s] = point;
        }
        return samples;
    }

    /// <summary>log of the mixture density at each point (log-sum-exp over kernels).</summary>
    public double[] LogPdf(IReadOnlyList<double[]> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var result = new double[points.Count];
        var acc = new double[KernelCount];
        for (var s = 0; s < points.Count; s++)
        {
            _logWeights.CopyTo(acc, 0);
            for (var j = 0; j < _columns.Length; j++)
            {
                _columns[j].AddLogPdf(points[s][j], acc);
            }
            result[s] = LogSumExp(acc);
        }
        return result;
    }

    private static double LogSumExp(double[] values)
    {
        var n = values.Length;
        ref var v = ref MemoryMarshal.GetArrayDataReference(values);
        var max = double.NegativeInfinity;
        var i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 4)
        {
            var vmax = Vector256.Create(double.NegativeInfinity);
            for (; i <= n - 4; i += 4)
            {
                vmax = Vector256.Max(vmax, Vector256.LoadUnsafe(ref v, (nuint)i));
            }
            for (var k = 0; k < 4; k++)
            {
                max = Math.Max(max, vmax[k]);
            }
        }
        for (; i < n; i++)
        {
            max = Math.Max(max, Unsafe.Add(ref v, i));
        }
        if (double.IsNegativeInfinity(max))
        {
            return double.NegativeInfinity;
        }
        // Kernels more than e^40 below the largest add less than 1e-17 of the sum: skip their Exp, which is most of
        // them once kernels are narrow.
        var sum = 0.0;
        var floor = max - 40;
        for (i = 0; i < n; i++)
        {
            var x = Unsafe.Add(ref v, i);
            if (x > floor)
            {
                sum += Math.Exp(x - max);
            }
        }
        return Math.Log(sum) + max;
    }

    private abstract class KernelColumn
    {
        public abstract double Sample(int kernel, Random rng);

        public abstract void AddLogPdf(double x, double[] acc);
    }

    private sealed class CategoricalColumn : KernelColumn
    {
        private readonly int _choices;
        private readonly double[] _rows;
        private readonly double[] _logRows;

        private CategoricalColumn(int choices, double[] rows)
        {
            _choices = choices;
            _rows = rows;
            _logRows = [.. rows.Select(w => Math.Log(w))];
        }

        public static CategoricalColumn Build(double[] observed, CategoricalDistribution distribution, ParzenOptions options, bool withPrior)
        {
            var c = distribution.Choices.Count;
            var m = observed.Length;
            var kernels = m + (withPrior ? 1 : 0);
            var rows = new double[kernels * c];
            // Each observation's row: prior_weight/(m+1) on every choice, +1 on the observed one, normalised.
            for (var i = 0; i < m; i++)
            {
                var start = (i * c);
                var baseline = options.PriorWeight / kernels;
                for (var x = 0; x < c; x++)
                {
                    rows[start + x] = baseline;
                }
                rows[start + (int)observed[i]] += 1.0;
                var sum = baseline * c + 1.0;
                for (var x = 0; x < c; x++)
                {
                    rows[start + x] /= sum;
                }
            }
            if (withPrior)
            {
                for (var x = 0; x < c; x++)
                {
                    rows[(m * c) + x] = 1.0 / c;
                }
            }
            return new CategoricalColumn(c, rows);
        }

        public override double Sample(int kernel, Random rng)
        {
            var u = rng.NextDouble();
            var start = kernel * _choices;
            var acc = 0.0;
            for (var x = 0; x < _choices - 1; x++)
            {
                acc += _rows[start + x];
                if (u < acc)
                {
                    return x;
                }
            }
            return _choices - 1;
        }

        public override void AddLogPdf(double x, double[] acc)
        {
            var index = (int)x;
            for (var k = 0; k < acc.Length; k++)
            {
                acc[k] += _logRows[(k * _choices) + index];
            }
        }
    }

    private sealed class NumericColumn : KernelColumn
    {
        private readonly double[] _mus;
        private readonly double[] _sigmas;
        private readonly double[] _invSigmas;
        private readonly double[] _logNorms;
        private readonly double _low, _high, _step;
        private readonly double _lowT, _highT;
        private readonly bool _log;

        private NumericColumn(double[] mus, double[] sigmas, double low, double high, double step, bool log)
        {
            _mus = mus;
            _sigmas = sigmas;
            _low = low;
            _high = high;
            _step = step;
            _log = log;
            var lowExt = step > 0 ? low - step / 2 : low;
            var highExt = step > 0 ? high + step / 2 : high;
            _lowT = log ? Math.Log(lowExt) : lowExt;
            _highT = log ? Math.Log(highExt) : highExt;
            _invSigmas = new double[sigmas.Length];
            // Continuous kernels: log of 1/(σ√2π) over the kernel's mass inside the bounds. Discrete kernels: the log mass
            // of the whole step-widened interval, which normalises each grid value's mass.
            _logNorms = new double[mus.Length];
            // Clipped kernels share one width: its log is taken once per run of equal widths.
            var lastSigma = double.NaN;
            var logSigma = 0.0;
            for (var k = 0; k < mus.Length; k++)
            {
                var inv = 1.0 / sigmas[k];
                _invSigmas[k] = inv;
                if (sigmas[k] != lastSigma)
                {
                    lastSigma = sigmas[k];
                    logSigma = Math.Log(lastSigma);
                }
                var a = (_lowT - mus[k]) * inv;
                var b = (_highT - mus[k]) * inv;
                // Beyond 8.5σ on both sides the mass is 1 to double precision: skip the two tail evaluations.
                var mass = a < -8.5 && b > 8.5 ? 0.0 : Gaussian.LogMass(a, b);
                _logNorms[k] = step > 0 ? -mass : -logSigma - Gaussian.LogSqrt2Pi - mass;
            }
        }

        public static NumericColumn Build(
            double[] observed, double low, double high, double? step, bool log, int dimensions, ParzenOptions options, bool withPrior,
            int[]? order)
        {
            var s = step ?? 0;
            var lowT = s > 0 ? low - s / 2 : low;
            var highT = s > 0 ? high + s / 2 : high;
            if (log)
            {
                lowT = Math.Log(lowT);
                highT = Math.Log(highT);
            }
            var m = observed.Length;
            var kernels = m + (withPrior ? 1 : 0);
            var mus = new double[kernels];
            for (var i = 0; i < m; i++)
            {
                mus[i] = log ? Math.Log(observed[i]) : observed[i];
            }
            var sigmas = new double[kernels];
            if (m > 0)
            {
                if (options.Multivariate && options.Bandwidth != TpeBandwidth.Gaps)
                {
                    var sigma = options.Bandwidth == TpeBandwidth.Scott
                        ? TpeMath.ScottSigma(mus.AsSpan(0, m), dimensions, lowT, highT)
                        : TpeMath.MultivariateSigma(m, dimensions, lowT, highT);
                    Array.Fill(sigmas, sigma, 0, m);
                }
                else
                {
                    var centres = mus.AsSpan(0, m);
                    TpeMath.UnivariateSigmas(centres, lowT, highT, options.ConsiderEndpoints, order ?? TpeMath.AscendingOrder(centres), sigmas);
                }
                TpeMath.Clip(sigmas.AsSpan(0, m), lowT, highT, kernels, options.ConsiderMagicClip, options.MagicClipExponent);
            }
            if (withPrior)
            {
                mus[m] = 0.5 * (lowT + highT);
                sigmas[m] = highT - lowT;
            }
            // A zero-width space (low == high) would give σ = 0; any positive width samples the one value.
            for (var k = 0; k < kernels; k++)
            {
                if (!(sigmas[k] > 0))
                {
                    sigmas[k] = 1e-12;
                }
            }
            return new NumericColumn(mus, sigmas, low, high, s, log);
        }

        public override double Sample(int kernel, Random rng)
        {
            var x = Gaussian.SampleTruncated(rng, _mus[kernel], _sigmas[kernel], _lowT, _highT);
            if (_log)
            {
                x = Math.Exp(x);
            }
            if (_step > 0)
            {
                return RandomSampler.OnGrid(x, _low, _high, _step);
            }
            return Math.Clamp(x, _low, _high);
        }

        public override void AddLogPdf(double x, double[] acc)
        {
            if (_step > 0)
            {
                var lo = x - _step / 2;
                var hi = x + _step / 2;
                if (_log)
                {
                    lo = Math.Log(lo);
                    hi = Math.Log(hi);
                }
                for (var k = 0; k < acc.Length; k++)
                {
                    acc[k] += Gaussian.LogMass((lo - _mus[k]) * _invSigmas[k], (hi - _mus[k]) * _invSigmas[k]) + _logNorms[k];
                }
                return;
            }
            var t = _log ? Math.Log(x) : x;
            if (t < _lowT || t > _highT)
            {
                Array.Fill(acc, double.NegativeInfinity);
                return;
            }
            // acc += logNorm − ((t − μ)/σ)²/2, eight or four kernels at a time.
            var n = acc.Length;
            ref var a = ref MemoryMarshal.GetArrayDataReference(acc);
            ref var mu = ref MemoryMarshal.GetArrayDataReference(_mus);
            ref var inv = ref MemoryMarshal.GetArrayDataReference(_invSigmas);
            ref var norm = ref MemoryMarshal.GetArrayDataReference(_logNorms);
            var i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var vt = Vector512.Create(t);
                var half = Vector512.Create(-0.5);
                for (; i <= n - 8; i += 8)
                {
                    var z = (vt - Vector512.LoadUnsafe(ref mu, (nuint)i)) * Vector512.LoadUnsafe(ref inv, (nuint)i);
                    var r = Vector512.LoadUnsafe(ref a, (nuint)i) + Vector512.LoadUnsafe(ref norm, (nuint)i) + half * z * z;
                    r.StoreUnsafe(ref a, (nuint)i);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                var vt = Vector256.Create(t);
                var half = Vector256.Create(-0.5);
                for (; i <= n - 4; i += 4)
                {
                    var z = (vt - Vector256.LoadUnsafe(ref mu, (nuint)i)) * Vector256.LoadUnsafe(ref inv, (nuint)i);
                    var r = Vector256.LoadUnsafe(ref a, (nuint)i) + Vector256.LoadUnsafe(ref norm, (nuint)i) + half * z * z;
                    r.StoreUnsafe(ref a, (nuint)i);
                }
            }
            for (; i < n; i++)
            {
                var z = (t - Unsafe.Add(ref mu, i)) * Unsafe.Add(ref inv, i);
                Unsafe.Add(ref a, i) += Unsafe.Add(ref norm, i) - 0.5 * z * z;
            }
        }
    }
}
