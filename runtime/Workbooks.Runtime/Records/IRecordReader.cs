using System.Text.Json;

namespace Workbooks.Records;

/// <summary>
/// Reads one record of a response: <see cref="RecordReader{T}"/> for typed and untyped records,
/// <see cref="WorkbooksRecordReader"/> for untyped records over a chosen shape (tests and benchmarks).
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
internal interface IRecordReader<out T>
{
    /// <summary>Reads a record. The reader is positioned on the record's <see cref="JsonTokenType.StartObject"/> and must
    /// be left on its matching <see cref="JsonTokenType.EndObject"/>.</summary>
    T Read(ref Utf8JsonReader reader);
}
