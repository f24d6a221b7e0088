using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Workbooks.Records;

/// <summary>Reads untyped <see cref="WorkbooksRecord"/>s, keeping every field.</summary>
internal sealed class WorkbooksRecordReader : IRecordReader<WorkbooksRecord>, IBufferedRecordReader<WorkbooksRecord>
{
    /// <summary>Creates a reader that learns the fields of the records it reads (see <see cref="RecordShape.Learning"/>).</summary>
    public WorkbooksRecordReader() : this(RecordShape.Learning()) { }

    /// <summary>Creates a reader over a known shape.</summary>
    public WorkbooksRecordReader(RecordShape shape) => Shape = shape ?? throw new ArgumentNullException(nameof(shape));

    /// <summary>The shared instance (one learning shape for every record type it reads).</summary>
    public static WorkbooksRecordReader Instance { get; } = new();

    /// <summary>The fields this reader knows.</summary>
    public RecordShape Shape { get; }

    /// <inheritdoc />
    public WorkbooksRecord Read(ref Utf8JsonReader reader) => WorkbooksRecord.ReadFrom(ref reader, Shape);

    bool IBufferedRecordReader<WorkbooksRecord>.TryRead(ReadOnlySpan<byte> buffer, int start, [MaybeNullWhen(false)] out WorkbooksRecord record, out int end) =>
        WorkbooksRecord.TryRead(buffer, start, Shape, out record, out end);
}

/// <summary>
/// A record reader that reads straight from the buffer a page is read through, in one pass, saying when the buffer ends
/// before the record does (so the page reader need not check first that the whole record has arrived).
/// </summary>
internal interface IBufferedRecordReader<T>
{
    /// <summary>Reads the record object that starts at <paramref name="start"/> in <paramref name="buffer"/>; on success
    /// <paramref name="end"/> is the index just past it. False when the buffer ends before the record.</summary>
    /// <exception cref="RecordSyntaxException">The record is not valid JSON.</exception>
    bool TryRead(ReadOnlySpan<byte> buffer, int start, [MaybeNullWhen(false)] out T record, out int end);
}
