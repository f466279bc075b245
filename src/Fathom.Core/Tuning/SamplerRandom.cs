namespace Fathom.Tuning;

/// <summary>
/// Per-trial random streams: a <see cref="Random"/> seeded from (study seed, trial number, stream name) by a fixed
/// hash, so a trial's draws depend on nothing else (not on which worker asked first, nor on the order of suggestions).
/// </summary>
internal static class SamplerRandom
{
    public static Random For(long seed, int trialNumber, string stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var h = Mix((ulong)seed ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (ulong)(uint)trialNumber);
        foreach (var c in stream)
        {
            h = Mix(h ^ c);
        }
        return new Random((int)(h & 0x7FFFFFFF));
    }

    /// <summary>A seed for a sampler built without one: drawn once, so the sampler is still consistent with itself.</summary>
    public static long FreshSeed() => System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);

    // SplitMix64's finaliser: a fixed, well-mixed hash (string.GetHashCode differs between processes).
    internal static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
