using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Workbooks.Records;
using Workbooks.Transport;

namespace Workbooks.Query;

/// <summary>Streams the records of index (GET) responses.</summary>
internal static class IndexPageReader
{
    /// <summary>The buffer size a page starts with.</summary>
    public const int DefaultInitialBufferSize = 64 * 1024;

    /// <summary>The largest buffer a page may grow to (one record must fit in it).</summary>
    public const int DefaultMaxBufferSize = 64 * 1024 * 1024;

    /// <summary>
    /// Prepares to stream an index response body (<c>{"data":[…],"total":…,"success":…,"flash":…}</c>, fields in any
    /// order). Nothing is read until the returned page is enumerated; the body stream is not disposed.
    /// </summary>
    /// <param name="body">The response body.</param>
    /// <param name="recordReader">Reads each record of <c>data</c>.</param>
    /// <param name="initialBufferSize">The size of the pooled buffer the body is read through.</param>
    /// <param name="maxBufferSize">The size the buffer may grow to when a single record does not fit.</param>
    /// <typeparam name="T">The record type.</typeparam>
    public static IndexPage<T> Read<T>(Stream body, IRecordReader<T> recordReader,
        int initialBufferSize = DefaultInitialBufferSize, int maxBufferSize = DefaultMaxBufferSize)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(recordReader);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialBufferSize, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBufferSize, initialBufferSize);
        return new IndexPage<T>(body, recordReader, initialBufferSize, maxBufferSize);
    }

    /// <summary>Prepares to stream an index response body as untyped <see cref="WorkbooksRecord"/>s.</summary>
    /// <param name="body">The response body.</param>
    public static IndexPage<WorkbooksRecord> Read(Stream body) => Read(body, WorkbooksRecordReader.Instance);
}

/// <summary>
/// One index response, read as a stream of records. The body is read in chunks through a pooled buffer that only grows
/// when a single record does not fit, so memory stays flat however many records the page holds. The envelope values
/// (<see cref="Total"/>, <see cref="Success"/>, <see cref="Flash"/>) are set as soon as they are read: before the
/// records when the service sends them first, and in any case once enumeration has completed. A page can be enumerated
/// once.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
internal sealed class IndexPage<T> : IAsyncEnumerable<T>
{
    private enum Phase { Start, Envelope, Data, Done }

    private enum Step { Record, NeedMore, Done }

    private readonly Stream _body;
    private readonly IRecordReader<T> _recordReader;
    private readonly int _initialBufferSize;
    private readonly int _maxBufferSize;
    private int _enumerated;

    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private long _offset;
    private JsonReaderState _state;
    private Phase _phase;
    private bool _bareArray;
    private JsonElement? _errors;

    internal IndexPage(Stream body, IRecordReader<T> recordReader, int initialBufferSize, int maxBufferSize)
    {
        _body = body;
        _recordReader = recordReader;
        _initialBufferSize = initialBufferSize;
        _maxBufferSize = maxBufferSize;
    }

    /// <summary><c>total</c>: the count of all matching records (or the page size when counting was skipped); null
    /// until read or when the service did not send it.</summary>
    public long? Total { get; private set; }

    /// <summary><c>success</c>; null until read or when the service did not send it.</summary>
    public bool? Success { get; private set; }

    /// <summary><c>flash</c>: the service's message, often empty; null until read or when not sent.</summary>
    public string? Flash { get; private set; }

    /// <summary>The number of records read so far.</summary>
    public long RecordCount { get; private set; }

    /// <summary>The bytes of body read so far (decompressed).</summary>
    public long BytesRead { get; private set; }

    /// <summary>Whether the whole body has been read.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>The largest size the read buffer reached (for tests and diagnostics).</summary>
    internal int BufferHighWaterMark { get; private set; }

    /// <inheritdoc />
    /// <exception cref="WorkbooksProtocolException">The body is not JSON, is truncated, or is not an index response.</exception>
    /// <exception cref="WorkbooksException">The body reports <c>success: false</c>.</exception>
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
            throw new InvalidOperationException("An index page can only be enumerated once.");
        return ReadRecordsAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    private async IAsyncEnumerable<T> ReadRecordsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(_initialBufferSize);
        BufferHighWaterMark = _buffer.Length;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var step = Advance(out var record);
                if (step == Step.Record)
                {
                    yield return record!;
                    continue;
                }
                if (step == Step.Done)
                    break;

                MakeRoom();
                var read = await _body.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                    throw EndedEarly();
                _end += read;
                BytesRead += read;
            }
        }
        finally
        {
            var buffer = _buffer;
            _buffer = [];
            _start = _end = 0;
            if (buffer.Length > 0)
                ArrayPool<byte>.Shared.Return(buffer);
        }

        IsCompleted = true;
        if (Success == false)
        {
            var errors = _errors is { } e ? ResponseJson.ReadMessages(e) : ResponseJson.EmptyMessages;
            var serviceMessage = !string.IsNullOrEmpty(Flash) ? Flash : _failureMessage ?? _failureReason;
            throw new WorkbooksException(
                ResponseJson.DescribeFailure("The service reported a failure", serviceMessage, errors),
                null, serviceMessage, null);
        }
    }

    private string? _failureReason;
    private string? _failureMessage;

    /// <summary>Moves unread bytes to the front of the buffer, growing it when a single token or record fills it.</summary>
    private void MakeRoom()
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _offset += _start;
            _start = 0;
            _end = pending;
        }
        if (_end < _buffer.Length)
            return;
        if (_buffer.Length >= _maxBufferSize)
            throw new WorkbooksProtocolException(
                $"A record of the index response is larger than the {_maxBufferSize}-byte limit (at byte {_offset}).");
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, _maxBufferSize));
        Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
        BufferHighWaterMark = Math.Max(BufferHighWaterMark, larger.Length);
    }

    private WorkbooksProtocolException EndedEarly()
    {
        var pending = _buffer.AsSpan(_start, _end - _start);
        if (_phase == Phase.Start && pending.Trim(" \t\r\n"u8).IsEmpty)
            return new WorkbooksProtocolException("The index response body is empty.");
        return new WorkbooksProtocolException(
            $"The index response ended before its JSON was complete (truncated after {_offset + _end} bytes, {RecordCount} records read).");
    }

    /// <summary>Reads from the buffered bytes until a whole record is read, more bytes are needed, or the body ends.</summary>
    private Step Advance(out T? record)
    {
        record = default;
        var buffer = _buffer.AsSpan(_start, _end - _start);
        if (_afterScannedRecord && Success != false && _recordReader is IBufferedRecordReader<T> buffered
            && TryScanNextRecord(buffered, buffer, out record) is { } fast)
            return fast;
        var reader = new Utf8JsonReader(buffer, isFinalBlock: false, _state);
        Step step;
        try
        {
            step = Advance(buffer, ref reader, out record);
        }
        catch (JsonException ex)
        {
            throw new WorkbooksProtocolException(
                $"The index response is not valid JSON (near byte {_offset + _start + reader.BytesConsumed}): {ex.Message}", ex);
        }
        if (_resumeAt >= 0)
        {
            // A record was scanned without the reader: resume just after it, in the state a reader is in after any
            // record of the data array.
            _start += _resumeAt;
            _state = _bareArray ? AfterRecordInBareArray : AfterRecordInData;
            _resumeAt = -1;
            _afterScannedRecord = true;
        }
        else
        {
            _start += (int)reader.BytesConsumed;
            _state = reader.CurrentState;
            _afterScannedRecord = false;
        }
        return step;
    }

    /// <summary>Whether the buffer resumes just after a scanned record (the reader's state is then the template).</summary>
    private bool _afterScannedRecord;

    /// <summary>
    /// Between scanned records no reader is needed: a comma and the next record's <c>{</c> (with any whitespace) start
    /// the next scan. Null when anything else follows (the end of the array, or bytes yet to arrive before the
    /// record): the reader then takes over from the same place.
    /// </summary>
    private Step? TryScanNextRecord(IBufferedRecordReader<T> buffered, ReadOnlySpan<byte> buffer, out T? record)
    {
        record = default;
        var at = JsonScan.SkipWhitespace(buffer, 0);
        if (at >= buffer.Length || buffer[at] != (byte)',')
            return null;
        at = JsonScan.SkipWhitespace(buffer, at + 1);
        if (at >= buffer.Length || buffer[at] != (byte)'{')
            return null;
        if (!TryReadBuffered(buffered, buffer, at, out record, out var end))
            return Step.NeedMore;
        _start += end;
        RecordCount++;
        return Step.Record;
    }

    /// <summary>Where the buffer resumes after a record scanned by an <see cref="IBufferedRecordReader{T}"/> (-1: the
    /// reader's own position).</summary>
    private int _resumeAt = -1;

    private static readonly JsonReaderState AfterRecordInData = StateAfter("{\"data\":[{}"u8);

    private static readonly JsonReaderState AfterRecordInBareArray = StateAfter("[{}"u8);

    private static JsonReaderState StateAfter(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: false, default);
        while (reader.Read()) { }
        return reader.CurrentState;
    }

    private Step Advance(ReadOnlySpan<byte> buffer, ref Utf8JsonReader reader, out T? record)
    {
        record = default;
        while (true)
        {
            var checkpoint = reader;
            if (!reader.Read())
                return Step.NeedMore;
            switch (_phase)
            {
                case Phase.Start:
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        _phase = Phase.Envelope;
                    }
                    else if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        _phase = Phase.Data;
                        _bareArray = true;
                    }
                    else
                    {
                        throw new WorkbooksProtocolException(
                            $"The index response is not a JSON object (it starts with {reader.TokenType}).");
                    }
                    break;

                case Phase.Envelope:
                    if (reader.TokenType == JsonTokenType.EndObject)
                    {
                        _phase = Phase.Done;
                        return Step.Done;
                    }
                    if (!ReadEnvelopeProperty(ref reader))
                    {
                        reader = checkpoint;
                        return Step.NeedMore;
                    }
                    break;

                case Phase.Data:
                    if (reader.TokenType == JsonTokenType.EndArray)
                    {
                        if (_bareArray)
                        {
                            _phase = Phase.Done;
                            return Step.Done;
                        }
                        _phase = Phase.Envelope;
                        break;
                    }
                    if (reader.TokenType != JsonTokenType.StartObject)
                        throw new WorkbooksProtocolException(
                            $"Record {RecordCount} of the index response is a {reader.TokenType}, not an object.");
                    if (Success != false && _recordReader is IBufferedRecordReader<T> buffered)
                    {
                        // One pass: the record reader scans the record itself and says when the buffer ends inside it;
                        // the page then resumes after the record (or from the checkpoint, with more bytes).
                        if (!TryReadBuffered(buffered, buffer, (int)reader.TokenStartIndex, out record, out var end))
                        {
                            reader = checkpoint;
                            return Step.NeedMore;
                        }
                        _resumeAt = end;
                        RecordCount++;
                        return Step.Record;
                    }
                    var probe = reader;
                    if (!probe.TrySkip())
                    {
                        reader = checkpoint;
                        return Step.NeedMore;
                    }
                    if (Success == false)
                    {
                        // A failure body: its records (if any) are not handed out.
                        reader = probe;
                        break;
                    }
                    record = ReadRecord(ref reader, probe.BytesConsumed);
                    RecordCount++;
                    return Step.Record;

                default:
                    return Step.Done;
            }
        }
    }

    private bool TryReadBuffered(IBufferedRecordReader<T> buffered, ReadOnlySpan<byte> buffer, int start, out T? record, out int end)
    {
        try
        {
            return buffered.TryRead(buffer, start, out record, out end);
        }
        catch (RecordSyntaxException ex)
        {
            throw new WorkbooksProtocolException(
                $"The index response is not valid JSON (near byte {_offset + _start + ex.Position}, in record {RecordCount}): {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
        {
            throw new WorkbooksProtocolException($"Record {RecordCount} of the index response could not be read: {ex.Message}", ex);
        }
    }

    private T ReadRecord(ref Utf8JsonReader reader, long recordEnd)
    {
        T record;
        try
        {
            record = _recordReader.Read(ref reader);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new WorkbooksProtocolException($"Record {RecordCount} of the index response could not be read: {ex.Message}", ex);
        }
        if (reader.BytesConsumed != recordEnd || reader.TokenType != JsonTokenType.EndObject)
            throw new WorkbooksProtocolException(
                $"The record reader {_recordReader.GetType().Name} did not stop at the end of record {RecordCount}.");
        return record;
    }

    /// <summary>Reads the value of an envelope property (the reader is on its name). False when more bytes are needed.</summary>
    private bool ReadEnvelopeProperty(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.PropertyName)
            throw new WorkbooksProtocolException($"Unexpected {reader.TokenType} in the index response.");
        var isData = reader.ValueTextEquals("data"u8);
        var isTotal = reader.ValueTextEquals("total"u8);
        var isSuccess = reader.ValueTextEquals("success"u8);
        var isFlash = reader.ValueTextEquals("flash"u8);
        var isErrors = reader.ValueTextEquals("errors"u8);
        var isReason = reader.ValueTextEquals("failure_reason"u8);
        var isMessage = reader.ValueTextEquals("failure_message"u8);
        if (!reader.Read())
            return false;
        var token = reader.TokenType;

        if (isData)
        {
            if (token == JsonTokenType.StartArray)
                _phase = Phase.Data;
            else if (token != JsonTokenType.Null)
                throw new WorkbooksProtocolException($"'data' in the index response is a {token}, not an array.");
            return true;
        }
        if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var probe = reader;
            if (!probe.TrySkip())
                return false;
            if (isErrors)
                _errors = JsonElement.ParseValue(ref reader);
            else
                reader = probe;
            return true;
        }
        if (isTotal)
            Total = ReadTotal(ref reader);
        else if (isSuccess)
            Success = token switch
            {
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                JsonTokenType.String when bool.TryParse(reader.GetString(), out var b) => b,
                _ => Success,
            };
        else if (isFlash && token == JsonTokenType.String)
            Flash = reader.GetString();
        else if (isReason && token == JsonTokenType.String)
            _failureReason = reader.GetString();
        else if (isMessage && token == JsonTokenType.String)
            _failureMessage = reader.GetString();
        return true;
    }

    private static long? ReadTotal(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n))
            return n;
        if (reader.TokenType == JsonTokenType.String
            && long.TryParse(reader.GetString(), System.Globalization.NumberStyles.Integer,
                System.Globalization.CultureInfo.InvariantCulture, out n))
            return n;
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        throw new WorkbooksProtocolException($"'total' in the index response is a {reader.TokenType}, not a number.");
    }
}
