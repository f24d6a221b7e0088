using System.Buffers;
using System.Net.Http.Headers;
using System.Text;

namespace Workbooks.Wire;

/// <summary>
/// Writes <c>application/x-www-form-urlencoded</c> bodies (and query strings): UTF-8, the RFC 3986 unreserved characters
/// (<c>A–Z a–z 0–9 - . _ ~</c>) as-is, space as <c>+</c>, everything else as upper-case <c>%XX</c>. Square brackets in
/// keys stay literal (<c>_ff[]</c>, <c>main_location[town][]</c>); in values they are escaped.
/// Lone surrogates are encoded as U+FFFD.
/// </summary>
public static class FormEncoder
{
    /// <summary>The media type of the bodies this writes.</summary>
    public const string MediaType = "application/x-www-form-urlencoded";

    private const int MaxBytesPerRune = 12; // 4 UTF-8 bytes, each as %XX
    private const int ChunkSize = 512;
    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    /// <summary>Writes <c>key=value&amp;key=value…</c> to a buffer writer.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="pairs">The parameters, in order.</param>
    public static void Write(IBufferWriter<byte> writer, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(pairs);
        var first = true;
        foreach (var (key, value) in pairs)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(pairs));
            if (!first) WriteByte(writer, (byte)'&');
            first = false;
            WriteEscaped(writer, key, isKey: true);
            WriteByte(writer, (byte)'=');
            WriteEscaped(writer, value ?? "", isKey: false);
        }
    }

    /// <summary>The encoded parameters as bytes.</summary>
    public static byte[] Encode(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, pairs);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The encoded parameters as a string (ASCII), e.g. for a query string.</summary>
    public static string EncodeToString(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, pairs);
        return Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    /// <summary>An HTTP body with the encoded parameters and the <c>application/x-www-form-urlencoded</c> content type.</summary>
    public static ByteArrayContent CreateContent(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var content = new ByteArrayContent(Encode(pairs));
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
        return content;
    }

    /// <summary>The length in bytes of the encoded parameters, computed without writing them.</summary>
    public static long GetEncodedLength(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        long length = 0;
        var first = true;
        foreach (var (key, value) in pairs)
        {
            if (!first) length++;
            first = false;
            length += EncodedLength(key ?? "", isKey: true) + 1 + EncodedLength(value ?? "", isKey: false);
        }
        return length;
    }

    /// <summary>Escapes one value (not a key) as it would appear in a body.</summary>
    public static string EscapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var buffer = new ArrayBufferWriter<byte>(value.Length + 16);
        WriteEscaped(buffer, value, isKey: false);
        return Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    private static bool IsUnreserved(int c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~';

    private static long EncodedLength(string text, bool isKey)
    {
        long length = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var v = rune.Value;
            if (v < 0x80)
                length += IsUnreserved(v) || v == ' ' || (isKey && v is '[' or ']') ? 1 : 3;
            else
                length += 3 * rune.Utf8SequenceLength;
        }
        return length;
    }

    private static void WriteByte(IBufferWriter<byte> writer, byte b)
    {
        writer.GetSpan(1)[0] = b;
        writer.Advance(1);
    }

    private static void WriteEscaped(IBufferWriter<byte> writer, string text, bool isKey)
    {
        if (text.Length == 0) return;
        var span = writer.GetSpan(ChunkSize);
        var pos = 0;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (span.Length - pos < MaxBytesPerRune)
            {
                writer.Advance(pos);
                span = writer.GetSpan(ChunkSize);
                pos = 0;
            }
            var v = rune.Value;
            if (v < 0x80)
            {
                if (IsUnreserved(v) || (isKey && v is '[' or ']'))
                {
                    span[pos++] = (byte)v;
                }
                else if (v == ' ')
                {
                    span[pos++] = (byte)'+';
                }
                else
                {
                    span[pos++] = (byte)'%';
                    span[pos++] = Hex[v >> 4];
                    span[pos++] = Hex[v & 0xF];
                }
            }
            else
            {
                var count = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < count; i++)
                {
                    span[pos++] = (byte)'%';
                    span[pos++] = Hex[utf8[i] >> 4];
                    span[pos++] = Hex[utf8[i] & 0xF];
                }
            }
        }
        writer.Advance(pos);
    }
}
