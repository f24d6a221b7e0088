using System.Globalization;
using System.Text;

namespace Workbooks.Runtime.Tests.Reading;

/// <summary>Hands out at most <c>chunk</c> bytes per read, to split tokens at every offset.</summary>
internal sealed class TrickleStream(byte[] data, int chunk = 1) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));
}

/// <summary>Produces an index body of <c>count</c> records on the fly, never holding more than one record.</summary>
internal sealed class GeneratedIndexStream(int count, bool totalFirst = true) : Stream
{
    private byte[] _pending = [];
    private int _pendingOffset;
    private int _next = -1;
    private bool _ended;

    public long BytesProduced { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesProduced; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length)
        {
            if (_pendingOffset == _pending.Length && !Refill())
                break;
            var n = Math.Min(buffer.Length - written, _pending.Length - _pendingOffset);
            _pending.AsSpan(_pendingOffset, n).CopyTo(buffer[written..]);
            _pendingOffset += n;
            written += n;
        }
        BytesProduced += written;
        return written;
    }

    private bool Refill()
    {
        string text;
        if (_ended)
            return false;
        if (_next == -1)
            text = totalFirst ? string.Create(CultureInfo.InvariantCulture, $"{{\"total\":{count},\"success\":true,\"data\":[") : "{\"data\":[";
        else if (_next < count)
            text = string.Create(CultureInfo.InvariantCulture,
                $"{(_next == 0 ? "" : ",")}{{\"id\":{_next + 1},\"lock_version\":{_next % 7},\"name\":\"Record \\\"{_next}\\\" – ünïcode\",\"main_location[town]\":\"Town {_next % 100}\",\"_can_modify\":true,\"amount\":{_next}.25,\"tags\":[1,2,{{\"x\":null}}]}}");
        else
        {
            text = totalFirst ? "],\"flash\":\"\",\"updates\":{}}" : string.Create(CultureInfo.InvariantCulture, $"],\"flash\":\"\",\"success\":true,\"total\":{count},\"updates\":{{}}}}");
            _ended = true;
        }
        _next++;
        _pending = Encoding.UTF8.GetBytes(text);
        _pendingOffset = 0;
        return true;
    }
}
