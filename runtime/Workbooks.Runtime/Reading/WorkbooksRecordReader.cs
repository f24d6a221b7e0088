using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Workbooks.Reading;

/// <summary>Reads untyped <see cref="WorkbooksRecord"/>s, keeping every field.</summary>
public sealed class WorkbooksRecordReader : IWorkbooksRecordReader<WorkbooksRecord>, IBufferedRecordReader<WorkbooksRecord>
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

    bool IBufferedRecordReader<WorkbooksRecord>.TryRead(ReadOnlySpan<byte> buffer, ref Utf8JsonReader reader, [MaybeNullWhen(false)] out WorkbooksRecord record) =>
        WorkbooksRecord.TryRead(buffer, ref reader, Shape, out record);
}

/// <summary>
/// A record reader that reads straight from the buffer a page is read through, in one pass, saying when the buffer ends
/// before the record does (so the page reader need not check first that the whole record has arrived).
/// </summary>
internal interface IBufferedRecordReader<T>
{
    /// <summary>Reads a record from <paramref name="buffer"/>, the bytes <paramref name="reader"/> reads; the reader is on
    /// its StartObject and is left on its EndObject. False when the buffer ends before the record.</summary>
    bool TryRead(ReadOnlySpan<byte> buffer, ref Utf8JsonReader reader, [MaybeNullWhen(false)] out T record);
}
