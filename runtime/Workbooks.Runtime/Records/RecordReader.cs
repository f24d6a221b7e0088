using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Workbooks.Records;

/// <summary>
/// Reads the records of one type: each record is read in one pass through the type's <see cref="RecordShape"/> into a
/// <see cref="WorkbooksRecord"/>, then wrapped in its class. Generated code declares one per type (<c>Person.Reader</c>).
/// </summary>
/// <typeparam name="T">The record type: a generated record class, or <see cref="WorkbooksRecord"/>.</typeparam>
public sealed class RecordReader<T> : IRecordReader<T>, IBufferedRecordReader<T> where T : class
{
    private readonly Func<WorkbooksRecord, T> _wrap;
    private readonly Func<T, WorkbooksRecord> _unwrap;

    /// <summary>Creates the reader of a record type.</summary>
    /// <param name="shape">The type's fields.</param>
    /// <param name="wrap">Wraps a record that was read in the record class.</param>
    /// <param name="unwrap">The record behind an instance of the record class (its id, lock_version and updated_at drive paging, delta sync and changes).</param>
    public RecordReader(RecordShape shape, Func<WorkbooksRecord, T> wrap, Func<T, WorkbooksRecord> unwrap)
    {
        Shape = shape ?? throw new ArgumentNullException(nameof(shape));
        _wrap = wrap ?? throw new ArgumentNullException(nameof(wrap));
        _unwrap = unwrap ?? throw new ArgumentNullException(nameof(unwrap));
    }

    /// <summary>The type's fields: every wire name of the schema, and which a create or an update may not set.</summary>
    public RecordShape Shape { get; }

    /// <summary>The record behind an instance of the record class.</summary>
    internal WorkbooksRecord RecordOf(T record) => _unwrap(record);

    /// <summary>The typed record over <paramref name="record"/>.</summary>
    internal T Wrap(WorkbooksRecord record) => _wrap(record);

    /// <summary>Reads a record: the reader is on the record's <see cref="JsonTokenType.StartObject"/> and is left on its
    /// matching <see cref="JsonTokenType.EndObject"/>.</summary>
    internal T Read(ref Utf8JsonReader reader) => _wrap(WorkbooksRecord.ReadFrom(ref reader, Shape));

    T IRecordReader<T>.Read(ref Utf8JsonReader reader) => Read(ref reader);

    bool IBufferedRecordReader<T>.TryRead(ReadOnlySpan<byte> buffer, int start, [MaybeNullWhen(false)] out T record, out int end)
    {
        if (WorkbooksRecord.TryRead(buffer, start, Shape, out var read, out end))
        {
            record = _wrap(read);
            return true;
        }
        record = null;
        return false;
    }
}

/// <summary>The readers of untyped records.</summary>
internal static class UntypedRecords
{
    /// <summary>Untyped records through the shared learning shape (see <see cref="WorkbooksRecordReader.Instance"/>).</summary>
    public static RecordReader<WorkbooksRecord> Reader { get; } = new(WorkbooksRecordReader.Instance.Shape, static r => r, static r => r);
}
