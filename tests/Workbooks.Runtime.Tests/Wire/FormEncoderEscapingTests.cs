using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Workbooks.Runtime.Tests.Wire;

/// <summary>
/// The escaping rules pinned character by character, and the fast paths (table loop for short texts, vectorised runs
/// for long ones, non-ASCII transcoding in chunks, buffer-writer chunking, segmented content) checked against a plain
/// rune-by-rune reference.
/// </summary>
public class FormEncoderEscapingTests
{
    private static KeyValuePair<string, string> P(string k, string v) => new(k, v);

    /// <summary>The rules, one rune at a time: what the encoder did before its fast paths, and must still do.</summary>
    private static string Reference(string text, bool isKey)
    {
        var sb = new StringBuilder();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var v = rune.Value;
            if (v is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~' || (isKey && v is '[' or ']'))
                sb.Append((char)v);
            else if (v == ' ')
                sb.Append('+');
            else
            {
                var count = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < count; i++) sb.Append('%').Append(utf8[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    private static string Body(string key, string value) => Reference(key, isKey: true) + "=" + Reference(value, isKey: false);

    [Fact]
    public void EveryAsciiCharacterInAValueIsEscapedAsUriEscapeDataStringWithSpaceAsPlus()
    {
        for (var c = 0; c < 128; c++)
        {
            var text = ((char)c).ToString();
            var expected = Uri.EscapeDataString(text).Replace("%20", "+", StringComparison.Ordinal);
            Assert.Equal(expected, FormEncoder.EscapeValue(text));
            Assert.Equal("k=" + expected, FormEncoder.EncodeToString([P("k", text)]));
            // The same character inside a long text (the vectorised path) and after a long safe prefix.
            var longText = new string('a', 40) + text + new string('b', 40);
            Assert.Equal(new string('a', 40) + expected + new string('b', 40), FormEncoder.EscapeValue(longText));
        }
    }

    [Fact]
    public void EveryAsciiCharacterInAKeyIsEscapedAsInAValueExceptSquareBrackets()
    {
        for (var c = 0; c < 128; c++)
        {
            var text = ((char)c).ToString();
            var expected = c is '[' or ']' ? text : Uri.EscapeDataString(text).Replace("%20", "+", StringComparison.Ordinal);
            Assert.Equal(expected + "=", FormEncoder.EncodeToString([P(text, "")]));
            Assert.Equal("x" + expected + new string('y', 40) + "=", FormEncoder.EncodeToString([P("x" + text + new string('y', 40), "")]));
        }
    }

    [Fact]
    public void DeleteAndControlsArePercentEncoded()
    {
        Assert.Equal("%7F%00%1F%09%0A%0D", FormEncoder.EscapeValue("\u007F\0\u001F\t\n\r"));
    }

    [Fact]
    public void EmptyAndNullValuesEncodeAsNothingAfterTheEqualsSign()
    {
        Assert.Equal("a=&b=&c=", FormEncoder.EncodeToString([P("a", ""), P("b", null!), P("c", "")]));
        Assert.Equal(8, FormEncoder.GetEncodedLength([P("a", ""), P("b", null!), P("c", "")]));
        Assert.Equal("", FormEncoder.EscapeValue(""));
    }

    [Fact]
    public void ANullKeyIsRejected()
    {
        Assert.Throws<ArgumentNullException>(() => FormEncoder.Encode([P("a", "b"), P(null!, "c")]));
    }

    [Theory]
    [InlineData("😀")]
    [InlineData("a😀b")]
    [InlineData("😀😀😀 ☕ Zoë")]
    [InlineData("Ó Súilleabháin 𝄞 日本")]
    public void SurrogatePairsAreOneFourByteSequenceInShortAndLongTexts(string text)
    {
        Assert.Equal(Reference(text, isKey: false), FormEncoder.EscapeValue(text));
        var longText = new string('x', 35) + text + " " + text + new string('y', 35);
        Assert.Equal(Reference(longText, isKey: false), FormEncoder.EscapeValue(longText));
        Assert.Contains("%F0%9F%98%80", FormEncoder.EscapeValue("😀"), StringComparison.Ordinal);
    }

    // The rows are written escaped and unescaped in the test: xUnit identifies a row by its arguments serialized as
    // UTF-8, where every lone surrogate becomes U+FFFD, so "\ud83d" and "\ude00" as strings made one ID and the second
    // row was skipped as a duplicate. Escaped, every row has its own ID and carries its surrogates exactly.
    [Theory]
    [InlineData(@"\ud83d")]          // high surrogate alone
    [InlineData(@"\ude00")]          // low surrogate alone
    [InlineData(@"a\ud83db")]        // high followed by ASCII
    [InlineData(@"é\ud83d")]         // high at the end of a non-ASCII run
    [InlineData(@"\ude00\ud83d")]    // a pair in the wrong order
    [InlineData(@"\ud83d\ud83d\ude00")] // a lone high, then a valid pair
    public void LoneSurrogatesBecomeTheReplacementCharacter(string escaped)
    {
        var text = Regex.Unescape(escaped);
        Assert.Contains(text, char.IsSurrogate); // a surrogate, not U+FFFD, is what the encoder is given
        Assert.Equal(Reference(text, isKey: false), FormEncoder.EscapeValue(text));
        Assert.Contains("%EF%BF%BD", FormEncoder.EscapeValue(text), StringComparison.Ordinal);
        var longText = new string('x', 40) + text + new string('é', 40) + text;
        Assert.Equal(Reference(longText, isKey: false), FormEncoder.EscapeValue(longText));
        Assert.Equal(FormEncoder.Encode([P("k", longText)]).Length, FormEncoder.GetEncodedLength([P("k", longText)]));
    }

    [Fact]
    public void LongNonAsciiRunsAreTranscodedInChunksWithoutSplittingAPair()
    {
        // Longer than the transcoding buffer, with pairs straddling every possible chunk boundary.
        for (var prefix = 0; prefix < 4; prefix++)
        {
            var text = new string('é', prefix) + string.Concat(Enumerable.Repeat("😀é日", 200));
            Assert.Equal(Reference(text, isKey: false), FormEncoder.EscapeValue(text));
        }
    }

    [Fact]
    public void RandomTextsMatchTheReferenceThroughEveryEntryPoint()
    {
        var random = new Random(7);
        char[] alphabet = [.. "aZ09-._~ []&=+%/?#:@!$'()*,;\"<>\\^`{|}\u007F\0\t", 'é', 'ß', 'Ж', '日', '☕', '\ud83d', '\ude00', '\ud834', '\udd1e'];
        for (var round = 0; round < 300; round++)
        {
            var pairs = new KeyValuePair<string, string>[random.Next(1, 6)];
            for (var i = 0; i < pairs.Length; i++)
            {
                pairs[i] = P(RandomText(random, alphabet, random.Next(0, 3) == 0 ? 200 : 40), RandomText(random, alphabet, random.Next(0, 3) == 0 ? 700 : 40));
            }
            var expected = string.Join("&", pairs.Select(p => Body(p.Key, p.Value)));
            Assert.Equal(expected, FormEncoder.EncodeToString(pairs));
            Assert.Equal(expected, Encoding.ASCII.GetString(FormEncoder.Encode(pairs)));
            Assert.Equal(expected, Encoding.ASCII.GetString(FormEncoder.Encode(pairs.ToList())));
            Assert.Equal(expected, Encoding.ASCII.GetString(FormEncoder.Encode(pairs.Select(p => p)))); // neither list nor array
            Assert.Equal(expected.Length, FormEncoder.GetEncodedLength(pairs));
            var small = new SmallSpanWriter();
            FormEncoder.Write(small, pairs);
            Assert.Equal(expected, Encoding.ASCII.GetString(small.Written.ToArray()));
        }
    }

    private static string RandomText(Random random, char[] alphabet, int maxLength)
    {
        var chars = new char[random.Next(0, maxLength)];
        for (var i = 0; i < chars.Length; i++)
            chars[i] = random.Next(3) == 0 ? alphabet[random.Next(alphabet.Length)] : (char)('a' + random.Next(26));
        return new string(chars);
    }

    [Fact]
    public void ABufferWriterThatHandsOutOnlyWhatIsAskedForGetsTheSameBytes()
    {
        var value = string.Concat(Enumerable.Repeat("Head of Sales (EMEA) Zoë 😀 ", 100));
        var writer = new SmallSpanWriter();
        FormEncoder.Write(writer, [P("a[b][]", value), P("c", "d")]);
        Assert.Equal(FormEncoder.EncodeToString([P("a[b][]", value), P("c", "d")]), Encoding.ASCII.GetString(writer.Written.ToArray()));
    }

    [Fact]
    public async Task LargeBodiesFromCreateContentAreTheEncodedBytesWithTheirLength()
    {
        var pairs = Enumerable.Range(0, 3000).Select(i => P($"field_{i % 20}[]", $"value {i} & Zoë 😀")).ToArray();
        var expected = FormEncoder.Encode(pairs);
        Assert.True(expected.Length > 2 * FormEncoder.SegmentSize);
        using var content = FormEncoder.CreateContent(pairs);
        Assert.Equal("application/x-www-form-urlencoded", content.Headers.ContentType!.MediaType);
        Assert.Equal(expected.Length, content.Headers.ContentLength);
        Assert.Equal(expected, await content.ReadAsByteArrayAsync());
        // Sent twice (a retry builds a new body, but a content may be read more than once) and synchronously.
        using var stream = new MemoryStream();
        content.CopyTo(stream, null, CancellationToken.None);
        Assert.Equal(expected, stream.ToArray());
        using var asyncStream = new MemoryStream();
        await content.CopyToAsync(asyncStream);
        Assert.Equal(expected, asyncStream.ToArray());
    }

    [Fact]
    public async Task SmallBodiesFromCreateContentAreOneArray()
    {
        using var content = FormEncoder.CreateContent([P("a", "b c")]);
        Assert.IsType<ByteArrayContent>(content);
        Assert.Equal("a=b+c", await content.ReadAsStringAsync());
        Assert.Equal(5, content.Headers.ContentLength);
    }

    /// <summary>Hands out exactly the size asked for (at least one byte), to exercise every refill of the writer.</summary>
    private sealed class SmallSpanWriter : IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[16];
        private int _written;
        private int _lastHandedOut;

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _written);

        public void Advance(int count)
        {
            Assert.InRange(count, 0, _lastHandedOut);
            _written += count;
            _lastHandedOut = 0;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new NotSupportedException();

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            var size = Math.Max(sizeHint, 1);
            if (_buffer.Length - _written < size) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _written + size));
            _lastHandedOut = size;
            return _buffer.AsSpan(_written, size);
        }
    }
}
