namespace Workbooks.Records;

/// <summary>
/// The base of every generated record class. The values live in an untyped <see cref="WorkbooksRecord"/>, so
/// fields the schema does not know are kept, every change is tracked, and only changed fields are sent.
/// </summary>
public abstract class WorkbooksEntity
{
    /// <summary>A new record (id 0).</summary>
    protected WorkbooksEntity() : this(new WorkbooksRecord()) { }

    /// <summary>A record read from the service.</summary>
    protected WorkbooksEntity(WorkbooksRecord record) => Record = record ?? throw new ArgumentNullException(nameof(record));

    /// <summary>The untyped store behind the typed properties.</summary>
    public WorkbooksRecord Record { get; }

    /// <summary>The record's id (0 until created).</summary>
    public long Id => Record.Id;

    /// <summary>The record's lock_version.</summary>
    public int LockVersion => Record.LockVersion;

    /// <summary>The fields changed since the record was read or last submitted.</summary>
    public IReadOnlyCollection<string> ChangedFields => Record.ChangedFields;
}
