namespace Fathom.Tuning;

internal sealed partial class CmaEsSampler
{
    /// <summary>
    /// The (μ/μ_w, λ)-CMA-ES state with Hansen's default constants: mean, step size, covariance (kept with its
    /// eigendecomposition), evolution paths. Bounds are the unit box: samples outside are redrawn, then clipped.
    /// </summary>
    internal sealed class CmaState
    {
        private readonly int _n;
        private readonly double[] _weights;
        private readonly double _muEff, _cSigma, _dSigma, _cc, _c1, _cMu, _chiN;
        private readonly double[] _mean;
        private readonly double[] _pSigma;
        private readonly double[] _pc;
        private readonly double[,] _c;
        private double[,] _b;
        private double[] _d;
        private double _sigma;

        public CmaState(double[] mean, double sigma, int? lambda)
        {
            _n = mean.Length;
            _mean = (double[])mean.Clone();
            _sigma = sigma;
            Lambda = lambda ?? 4 + (int)Math.Floor(3 * Math.Log(_n));
            var mu = Lambda / 2;
            _weights = new double[mu];
            for (var i = 0; i < mu; i++)
            {
                _weights[i] = Math.Log((Lambda + 1) / 2.0) - Math.Log(i + 1);
            }
            var sum = _weights.Sum();
            for (var i = 0; i < mu; i++)
            {
                _weights[i] /= sum;
            }
            _muEff = 1 / _weights.Sum(w => w * w);
            _cSigma = (_muEff + 2) / (_n + _muEff + 5);
            _dSigma = 1 + 2 * Math.Max(0, Math.Sqrt((_muEff - 1) / (_n + 1)) - 1) + _cSigma;
            _cc = (4 + _muEff / _n) / (_n + 4 + 2 * _muEff / _n);
            _c1 = 2 / ((_n + 1.3) * (_n + 1.3) + _muEff);
            _cMu = Math.Min(1 - _c1, 2 * (_muEff - 2 + 1 / _muEff) / ((_n + 2) * (_n + 2) + _muEff));
            _chiN = Math.Sqrt(_n) * (1 - 1.0 / (4 * _n) + 1.0 / (21.0 * _n * _n));
            _pSigma = new double[_n];
            _pc = new double[_n];
            _c = new double[_n, _n];
            _b = new double[_n, _n];
            _d = new double[_n];
            for (var i = 0; i < _n; i++)
            {
                _c[i, i] = 1;
                _b[i, i] = 1;
                _d[i] = 1;
            }
        }

        public int Lambda { get; }

        public int Generation { get; private set; }

        public double Sigma => _sigma;

        public IReadOnlyList<double> Mean => _mean;

        /// <summary>A candidate x = m + σ·B·D·z, z ~ N(0, I), redrawn up to 100 times to land in [0, 1]ⁿ, then clipped.</summary>
        public double[] Ask(Random rng)
        {
            var x = new double[_n];
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var z = new double[_n];
                for (var i = 0; i < _n; i++)
                {
                    z[i] = Normal(rng) * _d[i];
                }
                var inside = true;
                for (var i = 0; i < _n; i++)
                {
                    var y = 0.0;
                    for (var k = 0; k < _n; k++)
                    {
                        y += _b[i, k] * z[k];
                    }
                    x[i] = _mean[i] + _sigma * y;
                    inside &= x[i] is >= 0 and <= 1;
                }
                if (inside)
                {
                    return x;
                }
            }
            for (var i = 0; i < _n; i++)
            {
                x[i] = Math.Clamp(x[i], 0, 1);
            }
            return x;
        }

        /// <summary>One generation's update from λ evaluated points (x in the unit box, f to minimise).</summary>
        public void Tell(IReadOnlyList<(double[] X, double F)> solutions)
        {
            var sorted = solutions.Select((s, i) => (s.X, s.F, i)).OrderBy(s => s.F).ThenBy(s => s.i).ToList();
            var ys = sorted.Take(_weights.Length).Select(s => s.X.Select((v, j) => (v - _mean[j]) / _sigma).ToArray()).ToList();
            var yw = new double[_n];
            for (var i = 0; i < _weights.Length; i++)
            {
                for (var j = 0; j < _n; j++)
                {
                    yw[j] += _weights[i] * ys[i][j];
                }
            }
            for (var j = 0; j < _n; j++)
            {
                _mean[j] += _sigma * yw[j];
            }
            // C^{-1/2}·y_w = B·D⁻¹·Bᵀ·y_w.
            var bty = new double[_n];
            for (var k = 0; k < _n; k++)
            {
                for (var j = 0; j < _n; j++)
                {
                    bty[k] += _b[j, k] * yw[j];
                }
                bty[k] /= _d[k];
            }
            var cs = Math.Sqrt(_cSigma * (2 - _cSigma) * _muEff);
            for (var j = 0; j < _n; j++)
            {
                var v = 0.0;
                for (var k = 0; k < _n; k++)
                {
                    v += _b[j, k] * bty[k];
                }
                _pSigma[j] = (1 - _cSigma) * _pSigma[j] + cs * v;
            }
            var normPs = Math.Sqrt(_pSigma.Sum(v => v * v));
            var hSigma = normPs / Math.Sqrt(1 - Math.Pow(1 - _cSigma, 2 * (Generation + 1))) < (1.4 + 2.0 / (_n + 1)) * _chiN ? 1.0 : 0.0;
            var ccs = Math.Sqrt(_cc * (2 - _cc) * _muEff);
            for (var j = 0; j < _n; j++)
            {
                _pc[j] = (1 - _cc) * _pc[j] + hSigma * ccs * yw[j];
            }
            var decay = 1 - _c1 - _cMu + (1 - hSigma) * _c1 * _cc * (2 - _cc);
            for (var r = 0; r < _n; r++)
            {
                for (var c = 0; c < _n; c++)
                {
                    var rankMu = 0.0;
                    for (var i = 0; i < _weights.Length; i++)
                    {
                        rankMu += _weights[i] * ys[i][r] * ys[i][c];
                    }
                    _c[r, c] = decay * _c[r, c] + _c1 * _pc[r] * _pc[c] + _cMu * rankMu;
                }
            }
            _sigma *= Math.Exp(_cSigma / _dSigma * (normPs / _chiN - 1));
            _sigma = Math.Min(_sigma, 1e3);
            (_b, _d) = Eigen(_c);
            Generation++;
        }

        private static double Normal(Random rng)
        {
            // Box–Muller: two uniforms, one normal (the second is dropped so draws stay independent of call order).
            var u1 = 1.0 - rng.NextDouble();
            var u2 = rng.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        /// <summary>Jacobi eigendecomposition of a symmetric matrix: C = B·diag(D²)·Bᵀ, D the square roots (floored).</summary>
        private static (double[,] B, double[] D) Eigen(double[,] c)
        {
            var n = c.GetLength(0);
            var a = (double[,])c.Clone();
            var v = new double[n, n];
            for (var i = 0; i < n; i++)
            {
                v[i, i] = 1;
            }
            for (var sweep = 0; sweep < 100; sweep++)
            {
                var off = 0.0;
                for (var p = 0; p < n; p++)
                {
                    for (var q = p + 1; q < n; q++)
                    {
                        off += a[p, q] * a[p, q];
                    }
                }
                if (off < 1e-30)
                {
                    break;
                }
                for (var p = 0; p < n; p++)
                {
                    for (var q = p + 1; q < n; q++)
                    {
                        if (Math.Abs(a[p, q]) < 1e-300)
                        {
                            continue;
                        }
                        var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                        var t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                        if (theta == 0)
                        {
                            t = 1;
                        }
                        var cos = 1 / Math.Sqrt(t * t + 1);
                        var sin = t * cos;
                        for (var k = 0; k < n; k++)
                        {
                            var akp = a[k, p];
                            var akq = a[k, q];
                            a[k, p] = cos * akp - sin * akq;
                            a[k, q] = sin * akp + cos * akq;
                        }
                        for (var k = 0; k < n; k++)
                        {
                            var apk = a[p, k];
                            var aqk = a[q, k];
                            a[p, k] = cos * apk - sin * aqk;
                            a[q, k] = sin * apk + cos * aqk;
                        }
                        for (var k = 0; k < n; k++)
                        {
                            var vkp = v[k, p];
                            var vkq = v[k, q];
                            v[k, p] = cos * vkp - sin * vkq;
                            v[k, q] = sin * vkp + cos * vkq;
                        }
                    }
                }
            }
            var d = new double[n];
            for (var i = 0; i < n; i++)
            {
                d[i] = Math.Sqrt(Math.Max(a[i, i], 1e-20));
            }
            return (v, d);
        }
    }
}
