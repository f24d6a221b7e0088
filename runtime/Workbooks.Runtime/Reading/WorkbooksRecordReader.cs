using System.Text.Json;

namespace Workbooks.Reading;

/// <summary>Reads untyped <see cref="WorkbooksRecord"/>s, keeping every field.</summary>
public sealed class WorkbooksRecordReader : IWorkbooksRecordReader<WorkbooksRecord>
{
    /// <summary>The shared instance.</summary>
    public static WorkbooksRecordReader Instance { get; } = new();

    /// <inheritdoc />
    public WorkbooksRecord Read(ref Utf8JsonReader reader) => WorkbooksRecord.ReadFrom(ref reader);
}
