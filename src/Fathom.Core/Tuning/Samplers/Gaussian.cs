namespace Fathom.Tuning;

/// <summary>
/// Standard normal numerics for the Parzen estimators: Φ and log Φ (Hart's algorithm 5666 as given by West 2005, a
/// continued fraction in the tails, written so the lower tail never underflows in log space), the log mass of an interval, Φ⁻¹ (Acklam's rational
/// approximation refined by one Halley step) and the truncated normal's sampler and log density.
/// </summary>
internal static class Gaussian
{
    public const double LogSqrt2Pi = 0.91893853320467274178;
    private const double Sqrt2Pi = 2.50662827463100050242;

    /// <summary>Φ(x).</summary>
    public static double Cdf(double x) => x > 0 ? 1.0 - LowerTail(x) : LowerTail(-x);

    /// <summary>log Φ(x), accurate far into the lower tail.</summary>
    public static double LogCdf(double x) => x > 0 ? Log1P(-LowerTail(x)) : LogLowerTail(-x);

    /// <summary>log (Φ(b) − Φ(a)) for a ≤ b, computed on the side where it does not cancel.</summary>
    public static double LogMass(double a, double b)
    {
        if (b <= 0)
        {
            return LogDiff(LogCdf(b), LogCdf(a));
        }
        if (a > 0)
        {
            return LogDiff(LogCdf(-a), LogCdf(-b));
        }
        // a ≤ 0 < b: 1 − Φ(a) − Φ(−b) is rounded to ~1e-16 absolute whatever the tails' precision, so the tails need no
        // more than that (Hart's ratio alone, 0 past 8.5σ — no underflowing exp for the far side of a narrow kernel).
        return Log1P(-HartTail(-a) - HartTail(b));
    }

    /// <summary>Φ⁻¹(p) for p in (0, 1); ±∞ at the ends.</summary>
    public static double InverseCdf(double p)
    {
        if (p <= 0)
        {
            return double.NegativeInfinity;
        }
        if (p >= 1)
        {
            return double.PositiveInfinity;
        }
        double x;
        const double pLow = 0.02425;
        if (p < pLow)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((C0 * q + C1) * q + C2) * q + C3) * q + C4) * q + C5) / ((((D0 * q + D1) * q + D2) * q + D3) * q + 1);
        }
        else if (p <= 1 - pLow)
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((A0 * r + A1) * r + A2) * r + A3) * r + A4) * r + A5) * q
                / (((((B0 * r + B1) * r + B2) * r + B3) * r + B4) * r + 1);
        }
        else
        {
            var q = Math.Sqrt(-2 * Log1P(-p));
            x = -(((((C0 * q + C1) * q + C2) * q + C3) * q + C4) * q + C5) / ((((D0 * q + D1) * q + D2) * q + D3) * q + 1);
        }
        // One Halley step on Φ(x) − p brings the approximation (relative error ~1e-9) to full precision.
        var e = x < 0 ? LowerTail(-x) - p : (1 - p) - LowerTail(x);
        var u = e * Sqrt2Pi * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }

    /// <summary>A draw of N(μ, σ²) truncated to [low, high] by inversion.</summary>
    public static double SampleTruncated(Random rng, double mu, double sigma, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var a = (low - mu) / sigma;
        var b = (high - mu) / sigma;
        var q = rng.NextDouble();
        double z;
        if (a < 0)
        {
            var pa = Cdf(a);
            z = InverseCdf(pa + q * (Cdf(b) - pa));
        }
        else
        {
            // Mirror so the inversion runs in the lower tail, where Φ keeps its precision.
            var pb = Cdf(-b);
            z = -InverseCdf(pb + (1 - q) * (Cdf(-a) - pb));
        }
        if (!double.IsFinite(z))
        {
            // Both ends so far out that their masses underflow: the interval is all there is.
            z = a + q * (b - a);
        }
        return Math.Clamp(mu + sigma * z, low, high);
    }

    /// <summary>log density of N(μ, σ²) truncated to [low, high] at x (−∞ outside).</summary>
    public static double LogPdfTruncated(double x, double mu, double sigma, double low, double high)
    {
        if (x < low || x > high)
        {
            return double.NegativeInfinity;
        }
        var z = (x - mu) / sigma;
        return -0.5 * z * z - LogSqrt2Pi - Math.Log(sigma) - LogMass((low - mu) / sigma, (high - mu) / sigma);
    }

    /// <summary>log(1 + x) without losing x when it is tiny (Goldberg's correction).</summary>
    public static double Log1P(double x)
    {
        var u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>eˣ − 1 without cancellation near 0 (Kahan's correction).</summary>
    public static double ExpM1(double x)
    {
        if (Math.Abs(x) > 0.5)
        {
            return Math.Exp(x) - 1.0;
        }
        var u = Math.Exp(x);
        if (u == 1.0)
        {
            return x;
        }
        var um1 = u - 1.0;
        return um1 == -1.0 ? -1.0 : um1 * x / Math.Log(u);
    }

    /// <summary>log(e^p − e^q) for p ≥ q.</summary>
    private static double LogDiff(double p, double q) =>
        double.IsNegativeInfinity(q) ? p : p + Math.Log(-ExpM1(q - p));

    // Φ(−x) for x ≥ 0 to absolute precision ~1e-16: Hart's ratio only, 0 past 8.5 (Φ(−8.5) < 1e-17).
    private static double HartTail(double x) => x > 8.5 ? 0 : Math.Exp(-x * x / 2) * HartRatio(x);

    // Φ(−x) for x ≥ 0.
    private static double LowerTail(double x) => x > 37 ? Math.Exp(LogLowerTail(x)) : Math.Exp(-x * x / 2) * TailRatio(x);

    // log Φ(−x) for x ≥ 0: −x²/2 + log of the ratio, so the tail stays finite where Φ itself underflows.
    private static double LogLowerTail(double x) => -x * x / 2 + Math.Log(TailRatio(x));

    // Φ(−x)·e^{x²/2}: Hart's rational approximation below 3 (absolute error ~1e-16, so relative ~1e-13 there), the
    // Mills-ratio continued fraction 1/(x + 1/(x + 2/(x + …)))/√(2π) above, with enough terms for ~1e-14 relative.
    private static double TailRatio(double x)
    {
        if (x < 3)
        {
            return HartRatio(x);
        }
        // Terms for ~2e-14 relative error (found numerically): 39 at x = 3, 19 at 5, 11 at 8.
        var terms = (int)Math.Ceiling(6 + 320 / (x * x));
        var f = x;
        for (var k = terms; k >= 1; k--)
        {
            f = x + k / f;
        }
        return 1 / f / Sqrt2Pi;
    }

    // Hart's algorithm 5666 (West 2005): Φ(−x)·e^{x²/2} as a ratio of polynomials.
    private static double HartRatio(double x)
    {
        var n = 3.52624965998911E-02;
        n = n * x + 0.700383064443688;
        n = n * x + 6.37396220353165;
        n = n * x + 33.912866078383;
        n = n * x + 112.079291497871;
        n = n * x + 221.213596169931;
        n = n * x + 220.206867912376;
        var d = 8.83883476483184E-02;
        d = d * x + 1.75566716318264;
        d = d * x + 16.064177579207;
        d = d * x + 86.7807322029461;
        d = d * x + 296.564248779674;
        d = d * x + 637.333633378831;
        d = d * x + 793.826512519948;
        d = d * x + 440.413735824752;
        return n / d;
    }

    private const double A0 = -3.969683028665376e+01, A1 = 2.209460984245205e+02, A2 = -2.759285104469687e+02;
    private const double A3 = 1.383577518672690e+02, A4 = -3.066479806614716e+01, A5 = 2.506628277459239e+00;
    private const double B0 = -5.447609879822406e+01, B1 = 1.615858368580409e+02, B2 = -1.556989798598866e+02;
    private const double B3 = 6.680131188771972e+01, B4 = -1.328068155288572e+01;
    private const double C0 = -7.784894002430293e-03, C1 = -3.223964580411365e-01, C2 = -2.400758277161838e+00;
    private const double C3 = -2.549732539343734e+00, C4 = 4.374664141464968e+00, C5 = 2.938163982698783e+00;
    private const double D0 = 7.784695709041462e-03, D1 = 3.224671290700398e-01, D2 = 2.445134137142996e+00;
    private const double D3 = 3.754408661907416e+00;
}
