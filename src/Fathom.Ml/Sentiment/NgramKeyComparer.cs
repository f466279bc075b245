namespace Fathom.Sentiment;

/// <summary>
/// Hashes packed n-gram keys (vocabulary keys side by side in one integer) by Fibonacci multiplication.
/// </summary>
/// <remarks>
/// The default <c>ulong</c> hash XORs the two halves, so a bigram's hash is <c>key1 ^ key2</c>: frequent words have
/// small keys, hundreds of thousands of bigrams fell into a few thousand buckets, and a lookup walked long chains
/// (measured: milliseconds per review). Multiplying by 2^64/φ spreads every bit of both keys over the hash.
/// </remarks>
internal sealed class NgramKeyComparer : IEqualityComparer<ulong>, IEqualityComparer<UInt128>
{
    public static NgramKeyComparer Instance { get; } = new();

    public bool Equals(ulong x, ulong y) => x == y;

    public int GetHashCode(ulong obj) => (int)((obj * 0x9E3779B97F4A7C15UL) >> 32);

    public bool Equals(UInt128 x, UInt128 y) => x == y;

    public int GetHashCode(UInt128 obj) => GetHashCode((ulong)obj ^ ((ulong)(obj >> 64) * 0xC2B2AE3D27D4EB4FUL));
}
