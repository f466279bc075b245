using System.Text.Unicode;

namespace Fathom.Http;

/// <summary>
/// The check every JSON body passes before any reader sees it: valid UTF-8, and no escape that decodes to half a
/// surrogate pair. Either would parse, then fail later in whichever reader first asked for the string (a 500, or one
/// reader seeing a field another skipped); refused here, both readers see only text they can decode.
/// </summary>
internal static class JsonText
{
    /// <summary>What is wrong with a body's text (after any byte order mark), in words for the client; null when nothing is.</summary>
    public static string? Problem(ReadOnlySpan<byte> text)
    {
        if (!Utf8.IsValid(text))
        {
            return "The request body is not valid UTF-8 text; send JSON encoded as UTF-8.";
        }

        // Only a \u escape can spell a lone surrogate; most bodies have none, and are spared a second pass.
        return text.IndexOf("\\u"u8) >= 0 && HasLoneSurrogate(text)
            ? "The request body holds a \\u escape of a lone surrogate (half of a UTF-16 pair), which spells no character."
            : null;
    }

    /// <summary>The body without a UTF-8 byte order mark (skipped, as Python's JSON decoding does).</summary>
    public static ReadOnlyMemory<byte> WithoutBom(ReadOnlyMemory<byte> body) =>
        body.Span.StartsWith("\uFEFF"u8) ? body[3..] : body;

    /// <summary>True when the text is empty or white space only: no body at all.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> text) => text.Trim(" \t\r\n"u8).IsEmpty;

    // Scans the escapes themselves rather than the JSON tokens, so it needs no valid JSON: a high surrogate must be
    // followed at once by an escaped low one, and a low one must follow a high one.
    private static bool HasLoneSurrogate(ReadOnlySpan<byte> text)
    {
        var expectLow = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 >= text.Length)
            {
                if (expectLow)
                {
                    return true;
                }

                continue;
            }

            if (text[i + 1] != 'u')
            {
                if (expectLow)
                {
                    return true;
                }

                i++; // an escaped character, maybe a backslash: never the start of another escape
                continue;
            }

            if (i + 6 > text.Length || !TryHex(text.Slice(i + 2, 4), out var unit))
            {
                return expectLow; // a broken escape: the JSON parser refuses it with its own message
            }

            var isHigh = unit is >= 0xD800 and <= 0xDBFF;
            var isLow = unit is >= 0xDC00 and <= 0xDFFF;
            if (expectLow != isLow)
            {
                return true;
            }

            expectLow = isHigh;
            i += 5;
        }

        return expectLow;
    }

    private static bool TryHex(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var d in digits)
        {
            var nibble = d switch
            {
                >= (byte)'0' and <= (byte)'9' => d - '0',
                >= (byte)'a' and <= (byte)'f' => d - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => d - 'A' + 10,
                _ => -1,
            };
            if (nibble < 0)
            {
                return false;
            }

            value = (value << 4) | nibble;
        }

        return true;
    }
}
