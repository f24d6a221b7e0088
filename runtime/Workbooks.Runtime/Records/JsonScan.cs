using System.Buffers;

namespace Workbooks.Records;

/// <summary>
/// The pieces of a validating JSON scan over a buffer that may end early: each method returns the index just past what
/// it scanned, -1 when the buffer ends first (the caller asks for more bytes), and throws
/// <see cref="RecordSyntaxException"/> when the bytes are not JSON. The grammar is RFC 8259's, exactly as
/// <see cref="System.Text.Json.Utf8JsonReader"/> accepts it with default options: like the reader, the scan leaves the
/// UTF-8 of string values to decoding (which replaces invalid bytes), while a property name must decode to be matched.
/// </summary>
internal static class JsonScan
{
    /// <summary>What ends a run of ordinary string bytes: the closing quote, an escape, or a control character (which
    /// JSON forbids unescaped).</summary>
    private static readonly SearchValues<byte> StringStops =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    /// <summary>The index of the first non-whitespace byte at or after <paramref name="at"/> (the buffer's length when
    /// there is none).</summary>
    public static int SkipWhitespace(ReadOnlySpan<byte> buffer, int at)
    {
        while (at < buffer.Length && buffer[at] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            at++;
        return at;
    }

    /// <summary>Scans the string token starting at <paramref name="at"/> (on its opening quote).</summary>
    /// <param name="buffer">The bytes.</param>
    /// <param name="at">The opening quote.</param>
    /// <param name="escaped">Whether the string holds an escape sequence.</param>
    public static int SkipString(ReadOnlySpan<byte> buffer, int at, out bool escaped)
    {
        escaped = false;
        at++;
        while (true)
        {
            var stop = buffer[at..].IndexOfAny(StringStops);
            if (stop < 0)
                return -1;
            at += stop;
            var b = buffer[at];
            if (b == (byte)'"')
                return at + 1;
            if (b != (byte)'\\')
                throw new RecordSyntaxException(at, $"a string holds the control character 0x{b:X2}, which must be escaped");
            escaped = true;
            if (at + 1 >= buffer.Length)
                return -1;
            switch (buffer[at + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    at += 2;
                    break;
                case (byte)'u':
                    for (var i = 2; i < 6; i++)
                    {
                        if (at + i >= buffer.Length)
                            return -1;
                        if (!char.IsAsciiHexDigit((char)buffer[at + i]))
                            throw new RecordSyntaxException(at + i, "a \\u escape needs four hexadecimal digits");
                    }
                    at += 6;
                    break;
                default:
                    throw new RecordSyntaxException(at + 1, $"'\\{(char)buffer[at + 1]}' is not a JSON escape");
            }
        }
    }

    /// <summary>Scans the value starting at <paramref name="at"/>: a string, number or literal, or a nested object or
    /// array (handed to <see cref="System.Text.Json.Utf8JsonReader"/>).</summary>
    public static int SkipValue(ReadOnlySpan<byte> buffer, int at)
    {
        if (at >= buffer.Length)
            return -1;
        switch (buffer[at])
        {
            case (byte)'"':
                return SkipString(buffer, at, out _);
            case (byte)'t':
                return SkipLiteral(buffer, at, "true"u8);
            case (byte)'f':
                return SkipLiteral(buffer, at, "false"u8);
            case (byte)'n':
                return SkipLiteral(buffer, at, "null"u8);
            case (byte)'{' or (byte)'[':
                return SkipNested(buffer, at);
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                return SkipNumber(buffer, at);
            default:
                throw new RecordSyntaxException(at, $"'{Describe(buffer[at])}' does not start a JSON value");
        }
    }

    private static int SkipLiteral(ReadOnlySpan<byte> buffer, int at, ReadOnlySpan<byte> literal)
    {
        for (var i = 1; i < literal.Length; i++)
        {
            if (at + i >= buffer.Length)
                return -1;
            if (buffer[at + i] != literal[i])
                throw new RecordSyntaxException(at + i, $"expected the literal '{System.Text.Encoding.ASCII.GetString(literal)}'");
        }
        return at + literal.Length;
    }

    /// <summary><c>-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?</c>. A number may only end where the buffer shows
    /// what follows it (the caller then checks that it is a delimiter).</summary>
    private static int SkipNumber(ReadOnlySpan<byte> buffer, int at)
    {
        if (buffer[at] == (byte)'-' && ++at >= buffer.Length)
            return -1;
        if (buffer[at] == (byte)'0')
        {
            at++;
        }
        else if (IsDigit(buffer[at]))
        {
            at = SkipDigits(buffer, at);
        }
        else
        {
            throw new RecordSyntaxException(at, "a '-' must be followed by a digit");
        }
        if (at >= buffer.Length)
            return -1;
        if (buffer[at] == (byte)'.')
        {
            if (++at >= buffer.Length)
                return -1;
            if (!IsDigit(buffer[at]))
                throw new RecordSyntaxException(at, "a decimal point must be followed by a digit");
            at = SkipDigits(buffer, at);
            if (at >= buffer.Length)
                return -1;
        }
        if (buffer[at] is (byte)'e' or (byte)'E')
        {
            if (++at >= buffer.Length)
                return -1;
            if (buffer[at] is (byte)'+' or (byte)'-' && ++at >= buffer.Length)
                return -1;
            if (!IsDigit(buffer[at]))
                throw new RecordSyntaxException(at, "an exponent must have a digit");
            at = SkipDigits(buffer, at);
            if (at >= buffer.Length)
                return -1;
        }
        return at;
    }

    private static int SkipDigits(ReadOnlySpan<byte> buffer, int at)
    {
        while (at < buffer.Length && IsDigit(buffer[at]))
            at++;
        return at;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int SkipNested(ReadOnlySpan<byte> buffer, int at)
    {
        var reader = new System.Text.Json.Utf8JsonReader(buffer[at..], isFinalBlock: false, state: default);
        try
        {
            reader.Read();
            return reader.TrySkip() ? at + (int)reader.BytesConsumed : -1;
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new RecordSyntaxException(at + (int)reader.BytesConsumed, ex.Message);
        }
    }

    private static string Describe(byte b) => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"0x{b:X2}";
}

/// <summary>A record's bytes are not valid JSON; <see cref="Position"/> is the offset of the offending byte in the
/// buffer that was scanned.</summary>
internal sealed class RecordSyntaxException(int position, string message) : Exception(message)
{
    /// <summary>The offset of the offending byte.</summary>
    public int Position { get; } = position;
}
