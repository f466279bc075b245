using Fathom.Tuning;

namespace Fathom.Bench;

/// <summary>The test functions of the tuning benchmark, written over a trial's suggestions (same as tuning_optuna.py).</summary>
internal static class TuningFunctions
{
    private static readonly double[,] HartmannA =
    {
        { 10, 3, 17, 3.5, 1.7, 8 }, { 0.05, 10, 17, 0.1, 8, 14 }, { 3, 3.5, 1.7, 10, 17, 8 }, { 17, 8, 0.05, 10, 0.1, 14 },
    };

    private static readonly double[,] HartmannP =
    {
        { 1312, 1696, 5569, 124, 8283, 5886 }, { 2329, 4135, 8307, 3736, 1004, 9991 },
        { 2348, 1451, 3522, 2883, 3047, 6650 }, { 4047, 8828, 8732, 5743, 1091, 381 },
    };

    private static readonly double[] HartmannAlpha = [1.0, 1.2, 3.0, 3.2];

    private static readonly Dictionary<string, (double X, double Y, double Offset)> Centres = new(StringComparer.Ordinal)
    {
        ["a"] = (1.0, 1.0, 1.0),
        ["b"] = (-2.0, 2.0, 0.5),
        ["c"] = (2.5, -1.5, 0.0),
        ["d"] = (0.0, 0.0, 2.0),
    };

    private static readonly FloatDistribution BraninX = new(-5, 10);
    private static readonly FloatDistribution BraninY = new(0, 15);
    private static readonly FloatDistribution Unit = new(0, 1);
    private static readonly FloatDistribution Rosen = new(-5, 10);
    private static readonly CategoricalDistribution MixedC = new(["a", "b", "c", "d"]);
    private static readonly FloatDistribution MixedXy = new(-5, 5);
    private static readonly IntDistribution MixedN = new(0, 20);

    /// <summary>Single-objective functions by name, with their known minimum.</summary>
    public static readonly IReadOnlyList<(string Name, double Minimum, Func<TrialSampling, double> Objective)> Single =
    [
        ("branin", 0.397887, Branin),
        ("hartmann6", -3.32237, Hartmann6),
        ("rosenbrock4", 0, Rosenbrock4),
        ("mixed", 0, Mixed),
    ];

    public static double Branin(TrialSampling t)
    {
        var x = (double)t.Suggest("x", BraninX)!;
        var y = (double)t.Suggest("y", BraninY)!;
        return Math.Pow(y - 5.1 / (4 * Math.PI * Math.PI) * x * x + 5 / Math.PI * x - 6, 2) + 10 * (1 - 1 / (8 * Math.PI)) * Math.Cos(x) + 10;
    }

    public static double Hartmann6(TrialSampling t)
    {
        var x = new double[6];
        for (var i = 0; i < 6; i++)
        {
            x[i] = (double)t.Suggest($"x{i}", Unit)!;
        }
        return Hartmann6(x);
    }

    public static double Hartmann6(double[] x)
    {
        var total = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var inner = 0.0;
            for (var j = 0; j < 6; j++)
            {
                inner += HartmannA[i, j] * Math.Pow(x[j] - HartmannP[i, j] * 1e-4, 2);
            }
            total -= HartmannAlpha[i] * Math.Exp(-inner);
        }
        return total;
    }

    public static double Rosenbrock4(TrialSampling t)
    {
        var x = new double[4];
        for (var i = 0; i < 4; i++)
        {
            x[i] = (double)t.Suggest($"x{i}", Rosen)!;
        }
        var total = 0.0;
        for (var i = 0; i < 3; i++)
        {
            total += 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2);
        }
        return total;
    }

    public static double Mixed(TrialSampling t)
    {
        var c = (string)t.Suggest("c", MixedC)!;
        var x = (double)t.Suggest("x", MixedXy)!;
        var y = (double)t.Suggest("y", MixedXy)!;
        var n = (long)t.Suggest("n", MixedN)!;
        var (cx, cy, offset) = Centres[c];
        return offset + (x - cx) * (x - cx) + (y - cy) * (y - cy) + 0.05 * (n - 7) * (n - 7);
    }

    /// <summary>ZDT1 with 4 variables: f1 = x0, f2 = g·(1 − √(f1/g)), g = 1 + 9·mean(x1..x3).</summary>
    public static double[] Zdt1(TrialSampling t)
    {
        var x = new double[4];
        for (var i = 0; i < 4; i++)
        {
            x[i] = (double)t.Suggest($"x{i}", Unit)!;
        }
        var g = 1 + 9 * (x[1] + x[2] + x[3]) / 3;
        return [x[0], g * (1 - Math.Sqrt(x[0] / g))];
    }
}
