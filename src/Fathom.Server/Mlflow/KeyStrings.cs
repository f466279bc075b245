using System.Text.Json;

namespace Fathom.Mlflow;

/// <summary>
/// The strings of one request's metric keys, made once per distinct key: a batch of 1,000 points usually carries a
/// handful of keys, each repeated once per step.
/// </summary>
internal sealed class KeyStrings
{
    // Past this many distinct keys a batch is unusual; the rest get a string each, as without the cache.
    private const int MaxKeys = 64;

    private readonly List<(byte[] Utf8, string Text)> _keys = [];
    private int _last;

    /// <summary>The string at the reader's current string token.</summary>
    public string Get(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return reader.GetString()!;
        }

        var utf8 = reader.ValueSpan;
        // From the last key found on: keys come round in the same order step after step, or one key repeats.
        for (var i = 0; i < _keys.Count; i++)
        {
            var at = (_last + i) % _keys.Count;
            if (utf8.SequenceEqual(_keys[at].Utf8))
            {
                _last = at;
                return _keys[at].Text;
            }
        }

        var text = reader.GetString()!;
        if (_keys.Count < MaxKeys)
        {
            _keys.Add((utf8.ToArray(), text));
            _last = _keys.Count - 1;
        }

        return text;
    }
}
