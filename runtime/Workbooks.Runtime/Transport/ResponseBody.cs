namespace Workbooks.Transport;

/// <summary>
/// A response body under the request's deadline: <see cref="WorkbooksOptions.Timeout"/> covers the whole response,
/// body included, so a body that stalls after the headers ends in a typed timeout instead of a read that never returns.
/// Failures of the body become the library's exceptions: a body cut short is a <see cref="WorkbooksTransportException"/>,
/// one that cannot be decompressed a <see cref="WorkbooksProtocolException"/>; the cause stays inside.
/// </summary>
internal sealed class ResponseBody(Stream inner, WorkbooksRequest request, CancellationTokenSource? deadline, TimeSpan timeout) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var count = await inner.ReadAsync(buffer, linked?.Token ?? cancellationToken).ConfigureAwait(false);
            _read += count;
            return count;
        }
        catch (Exception e) when (Translate(e, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // A synchronous read cannot take a token: the deadline disposes the stream under it instead.
        using var abort = deadline?.Token.Register(static s => ((Stream)s!).Dispose(), inner);
        try
        {
            var count = inner.Read(buffer);
            _read += count;
            return count;
        }
        catch (Exception e) when (Translate(e, CancellationToken.None) is { } translated)
        {
            throw translated;
        }
    }

    private Exception? Translate(Exception e, CancellationToken callerToken)
    {
        if (deadline is { IsCancellationRequested: true } && !callerToken.IsCancellationRequested && e is OperationCanceledException or IOException or ObjectDisposedException)
            return new WorkbooksTransportException(
                $"{request} did not finish within {timeout.TotalSeconds:0.###} s (WorkbooksOptions.Timeout covers the whole response): the body stalled after {_read} bytes.",
                request.ToString(), outcomeUnknown: !request.IsIdempotent, e);
        return e switch
        {
            OperationCanceledException => null, // the caller's cancellation stays what it is
            InvalidDataException => new WorkbooksProtocolException($"{request}: the response body could not be decompressed ({e.Message}).", e),
            IOException or HttpRequestException => new WorkbooksTransportException(
                $"{request}: the response was cut short after {_read} bytes ({e.Message}).", request.ToString(), outcomeUnknown: !request.IsIdempotent, e),
            _ => null,
        };
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            deadline?.Dispose();
        }
        base.Dispose(disposing);
    }
}
