using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace Workbooks.Transport;

/// <summary>
/// Writes <c>application/x-www-form-urlencoded</c> bodies (and query strings): UTF-8, the RFC 3986 unreserved characters
/// (<c>A–Z a–z 0–9 - . _ ~</c>) as-is, space as <c>+</c>, everything else as upper-case <c>%XX</c>. Square brackets in
/// keys stay literal (<c>_ff[]</c>, <c>main_location[town][]</c>); in values they are escaped.
/// Lone surrogates are encoded as U+FFFD.
/// </summary>
internal static class FormEncoder
{
    /// <summary>The media type of the bodies this writes.</summary>
    public const string MediaType = "application/x-www-form-urlencoded";

    private const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    // What a run copied as it is may contain. Space is part of a run (the copied bytes then have ' ' turned into '+'),
    // so "Head of Sales" is one vectorised search and one copy instead of five.
    private static readonly SearchValues<char> ValueRun = SearchValues.Create(Unreserved + " ");
    private static readonly SearchValues<char> KeyRun = SearchValues.Create(Unreserved + " []");

    // The same sets as tables for the short rest of a text after its first escape: ASCII character → the byte written
    // for it, 0 to escape.
    private static readonly byte[] ValueTable = Table(Unreserved + " ");
    private static readonly byte[] KeyTable = Table(Unreserved + " []");

    /// <summary>Up to this length, the rest of a text after its first escape goes through the table loop: for short
    /// runs between escapes (an address, a URL) one vectorised search per run costs more than it saves.</summary>
    private const int ShortText = 32;

    /// <summary>The destination span requested from a buffer writer, and the largest piece copied at a time.</summary>
    private const int ChunkSize = 512;

    /// <summary>The largest array of a body from <see cref="CreateContent"/>: well below the 85,000-byte large object threshold.</summary>
    internal const int SegmentSize = 64 * 1024;

    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    /// <summary>Writes <c>key=value&amp;key=value…</c> to a buffer writer.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="pairs">The parameters, in order.</param>
    public static void Write(IBufferWriter<byte> writer, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(pairs);
        var output = new FormWriter(writer);
        WritePairs(ref output, pairs);
        output.Flush();
    }

    /// <summary>The encoded parameters as bytes, in one array of exactly their length.</summary>
    /// <remarks>For a request body prefer <see cref="CreateContent"/>, which keeps large bodies off the large object heap.</remarks>
    public static byte[] Encode(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var output = new FormWriter(EstimateLength(pairs));
        try
        {
            WritePairs(ref output, pairs);
            return output.WrittenSpan.ToArray();
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>The encoded parameters as a string (ASCII), e.g. for a query string.</summary>
    public static string EncodeToString(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var output = new FormWriter(EstimateLength(pairs));
        try
        {
            WritePairs(ref output, pairs);
            return Encoding.ASCII.GetString(output.WrittenSpan);
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>An HTTP body with the encoded parameters and the <c>application/x-www-form-urlencoded</c> content type.</summary>
    /// <remarks>
    /// A body larger than 64 KB (a change set of many objects) is held as several arrays of at most 64 KB rather than
    /// one, so that it never lands on the large object heap: one large array per request costs a fresh, page-faulted
    /// allocation and brings the next full garbage collection closer. The bytes sent, and the Content-Length, are the same.
    /// </remarks>
    public static HttpContent CreateContent(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var output = new FormWriter(EstimateLength(pairs));
        HttpContent content;
        try
        {
            WritePairs(ref output, pairs);
            var written = output.WrittenSpan;
            content = written.Length <= SegmentSize ? new ByteArrayContent(written.ToArray()) : new SegmentedContent(written);
        }
        finally
        {
            output.Dispose();
        }
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
            length += EncodedLength(key, isKey: true) + 1 + EncodedLength(value, isKey: false);
        }
        return length;
    }

    /// <summary>Escapes one value (not a key) as it would appear in a body.</summary>
    public static string EscapeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var output = new FormWriter(value.Length + 16);
        try
        {
            output.WriteEscaped(value, isKey: false);
            return Encoding.ASCII.GetString(output.WrittenSpan);
        }
        finally
        {
            output.Dispose();
        }
    }

    private static void WritePairs(ref FormWriter output, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        // Lists and arrays (what every caller in the runtime passes) are walked as spans: no enumerator, no interface calls.
        if (pairs is List<KeyValuePair<string, string>> list)
            WritePairs(ref output, CollectionsMarshal.AsSpan(list));
        else if (pairs is KeyValuePair<string, string>[] array)
            WritePairs(ref output, array);
        else
        {
            var first = true;
            foreach (var (key, value) in pairs)
            {
                WritePair(ref output, key, value, first);
                first = false;
            }
        }
    }

    private static void WritePairs(ref FormWriter output, ReadOnlySpan<KeyValuePair<string, string>> pairs)
    {
        for (var i = 0; i < pairs.Length; i++)
            WritePair(ref output, pairs[i].Key, pairs[i].Value, i == 0);
    }

    private static void WritePair(ref FormWriter output, string key, string? value, bool first)
    {
        ArgumentNullException.ThrowIfNull(key, "pairs");
        if (!first) output.WriteByte((byte)'&');
        output.WriteEscaped(key, isKey: true);
        output.WriteByte((byte)'=');
        if (value is not null) output.WriteEscaped(value, isKey: false);
    }

    /// <summary>
    /// A first guess at the body's size, so the pooled buffer rarely grows: the characters of every pair plus an eighth
    /// for escapes. Only for lists and arrays; an arbitrary sequence is not enumerated twice.
    /// </summary>
    private static int EstimateLength(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ReadOnlySpan<KeyValuePair<string, string>> span;
        if (pairs is List<KeyValuePair<string, string>> list) span = CollectionsMarshal.AsSpan(list);
        else if (pairs is KeyValuePair<string, string>[] array) span = array;
        else return ChunkSize;
        long chars = 0;
        foreach (var (key, value) in span) chars += (key?.Length ?? 0) + (value?.Length ?? 0) + 2;
        return (int)Math.Min(chars + chars / 8 + 16, Array.MaxLength);
    }

    private static byte[] Table(string copied)
    {
        var table = new byte[128];
        foreach (var c in copied) table[c] = c == ' ' ? (byte)'+' : (byte)c;
        return table;
    }

    private static long EncodedLength(string? text, bool isKey)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        var rest = text.AsSpan();
        long length = rest.Length;
        var run = isKey ? KeyRun : ValueRun;
        while (true)
        {
            var skip = rest.IndexOfAnyExcept(run);
            if (skip < 0) return length;
            rest = rest[skip..];
            if (rest[0] < 0x80)
            {
                length += 2; // %XX for one character counted once already
                rest = rest[1..];
            }
            else
            {
                var end = rest.IndexOfAnyInRange('\0', '\u007F');
                if (end < 0) end = rest.Length;
                // Each UTF-8 byte is three bytes (%XX); Encoding.UTF8 counts a lone surrogate as U+FFFD, as the writer does.
                length += 3L * Encoding.UTF8.GetByteCount(rest[..end]) - end;
                rest = rest[end..];
            }
        }
    }

    /// <summary>A body held as arrays of at most <see cref="SegmentSize"/> bytes, written to the request stream in order.</summary>
    private sealed class SegmentedContent : HttpContent
    {
        private readonly byte[][] _segments;
        private readonly long _length;

        public SegmentedContent(ReadOnlySpan<byte> body)
        {
            _length = body.Length;
            _segments = new byte[(body.Length + SegmentSize - 1) / SegmentSize][];
            for (var i = 0; i < _segments.Length; i++)
            {
                var piece = body[..Math.Min(SegmentSize, body.Length)];
                _segments[i] = piece.ToArray();
                body = body[piece.Length..];
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            foreach (var segment in _segments)
                await stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
        }

        protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            foreach (var segment in _segments)
            {
                cancellationToken.ThrowIfCancellationRequested();
                stream.Write(segment);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }

    /// <summary>
    /// The escaping writer, over either a caller's <see cref="IBufferWriter{T}"/> or a buffer rented from
    /// <see cref="ArrayPool{T}.Shared"/> (which <see cref="Dispose"/> returns). Runs of characters that stay as they are
    /// are found with a vectorised search and copied with one narrowing copy; everything else is escaped.
    /// </summary>
    internal ref struct FormWriter
    {
        private readonly IBufferWriter<byte>? _target;
        private byte[]? _rented;
        private Span<byte> _span;
        private int _position;

        /// <summary>Writes to a caller's buffer writer; call <see cref="Flush"/> at the end.</summary>
        public FormWriter(IBufferWriter<byte> target)
        {
            _target = target;
            _rented = null;
            _span = target.GetSpan(ChunkSize);
            _position = 0;
        }

        /// <summary>Writes to a pooled buffer of at least <paramref name="capacity"/> bytes; call <see cref="Dispose"/> at the end.</summary>
        public FormWriter(int capacity)
        {
            _target = null;
            _rented = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 16));
            _span = _rented;
            _position = 0;
        }

        /// <summary>What has been written (pooled buffer only).</summary>
        public readonly ReadOnlySpan<byte> WrittenSpan => _span[.._position];

        public void WriteByte(byte value)
        {
            if (_position == _span.Length) Grow(1);
            _span[_position++] = value;
        }

        /// <summary>Writes the escaped text: unreserved ASCII (and brackets in keys) as it is, space as <c>+</c>, the rest as <c>%XX</c>.</summary>
        public void WriteEscaped(ReadOnlySpan<char> text, bool isKey)
        {
            // Most keys and many values need no escaping but for spaces: one vectorised search finds where escaping
            // starts, and everything before it is copied in one go. What follows is short in practice (an address, a
            // URL): a table loop beats one search per run there.
            if (text.Length <= ShortText)
            {
                // Short text (most keys and values of a change set): one table loop, without a vectorised search's setup.
                WriteShort(text, isKey ? KeyTable : ValueTable);
                return;
            }
            var run = isKey ? KeyRun : ValueRun;
            var copied = text.IndexOfAnyExcept(run);
            if (copied < 0)
            {
                CopyRun(text);
                return;
            }
            CopyRun(text[..copied]);
            text = text[copied..];
            if (text.Length <= ShortText) WriteShort(text, isKey ? KeyTable : ValueTable);
            else WriteLong(text, run);
        }

        /// <summary>Copies characters that are all in the run set (ASCII), turning spaces into <c>+</c>.</summary>
        private void CopyRun(ReadOnlySpan<char> text)
        {
            while (!text.IsEmpty)
            {
                var free = Free(Math.Min(text.Length, ChunkSize));
                var count = Math.Min(text.Length, free.Length);
                free = free[..count];
                Ascii.FromUtf16(text[..count], free, out _);
                free.Replace((byte)' ', (byte)'+');
                _position += count;
                text = text[count..];
            }
        }

        private void WriteShort(ReadOnlySpan<char> text, byte[] table)
        {
            var free = Free(text.Length * 3); // enough for all of it unless there is non-ASCII, which reserves its own
            var written = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c < 0x80)
                {
                    var b = table[c];
                    if (b != 0)
                    {
                        free[written++] = b;
                    }
                    else
                    {
                        free[written] = (byte)'%';
                        free[written + 1] = Hex[c >> 4];
                        free[written + 2] = Hex[c & 0xF];
                        written += 3;
                    }
                }
                else
                {
                    _position += written;
                    i += WriteNonAscii(text[i..]) - 1;
                    free = Free((text.Length - i - 1) * 3);
                    written = 0;
                }
            }
            _position += written;
        }

        private void WriteLong(ReadOnlySpan<char> text, SearchValues<char> run)
        {
            while (!text.IsEmpty)
            {
                var length = text.IndexOfAnyExcept(run);
                if (length < 0) length = text.Length;
                CopyRun(text[..length]);
                text = text[length..];
                if (text.IsEmpty) return;
                var c = text[0];
                if (c < 0x80)
                {
                    var escape = Free(3);
                    escape[0] = (byte)'%';
                    escape[1] = Hex[c >> 4];
                    escape[2] = Hex[c & 0xF];
                    _position += 3;
                    text = text[1..];
                }
                else
                {
                    text = text[WriteNonAscii(text)..];
                }
            }
        }

        /// <summary>Transcodes the run of non-ASCII characters at the start of <paramref name="text"/> and writes each UTF-8 byte as <c>%XX</c>.</summary>
        /// <returns>The number of characters consumed.</returns>
        private int WriteNonAscii(ReadOnlySpan<char> text)
        {
            var end = text.IndexOfAnyInRange('\0', '\u007F');
            if (end < 0) end = text.Length;
            // The run ends at an ASCII character or the end of the text, so a high surrogate at its end is a lone one:
            // transcoding the run as a final block turns it into U+FFFD, as Rune enumeration did.
            var source = text[..end];
            Span<byte> utf8 = stackalloc byte[128];
            while (!source.IsEmpty)
            {
                Utf8.FromUtf16(source, utf8, out var read, out var written, replaceInvalidSequences: true, isFinalBlock: true);
                var escaped = Free(written * 3);
                for (var i = 0; i < written; i++)
                {
                    var b = utf8[i];
                    escaped[3 * i] = (byte)'%';
                    escaped[3 * i + 1] = Hex[b >> 4];
                    escaped[3 * i + 2] = Hex[b & 0xF];
                }
                _position += written * 3;
                source = source[read..];
            }
            return end;
        }

        /// <summary>Hands what has been written to the buffer writer.</summary>
        public void Flush()
        {
            if (_target is null) return;
            _target.Advance(_position);
            _position = 0;
            _span = default;
        }

        /// <summary>Returns the pooled buffer.</summary>
        public void Dispose()
        {
            if (_rented is null) return;
            // Bodies carry credentials (login, API keys): wipe what was written before another renter can see it.
            _rented.AsSpan(0, _position).Clear();
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
            _span = default;
            _position = 0;
        }

        /// <summary>The free space after what has been written, at least <paramref name="minimum"/> bytes.</summary>
        private Span<byte> Free(int minimum)
        {
            if (_span.Length - _position < minimum) Grow(minimum);
            return _span[_position..];
        }

        private void Grow(int minimum)
        {
            if (_target is not null)
            {
                _target.Advance(_position);
                _position = 0;
                _span = _target.GetSpan(Math.Max(minimum, ChunkSize));
                return;
            }
            var size = (int)Math.Min(Math.Max(2L * _span.Length, (long)_position + minimum), Array.MaxLength);
            if (size - _position < minimum) throw new InsufficientMemoryException("The form body is too large for one buffer.");
            var bigger = ArrayPool<byte>.Shared.Rent(size);
            _span[.._position].CopyTo(bigger);
            if (_rented is not null)
            {
                _rented.AsSpan(0, _position).Clear();
                ArrayPool<byte>.Shared.Return(_rented);
            }
            _rented = bigger;
            _span = bigger;
        }
    }
}
