using System.Text.Json;

namespace Workbooks.Reading;

/// <summary>
/// Reads one record of a response. Generated code implements it per record type; <see cref="WorkbooksRecordReader"/>
/// reads untyped records.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public interface IWorkbooksRecordReader<out T>
{
    /// <summary>Reads a record. The reader is positioned on the record's <see cref="JsonTokenType.StartObject"/> and must
    /// be left on its matching <see cref="JsonTokenType.EndObject"/>.</summary>
    T Read(ref Utf8JsonReader reader);
}
