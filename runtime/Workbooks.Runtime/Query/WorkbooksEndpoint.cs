using Workbooks.Changes;
using Workbooks.Records;

namespace Workbooks.Query;

/// <summary>
/// The root of one record type's queries: an unfiltered <see cref="WorkbooksQuery{T, TFields}"/> (every record, by id)
/// that also opens change sets. A generated client has one per record type (<c>crm.People</c>);
/// <see cref="WorkbooksSession.Records"/> gives the untyped one.
/// </summary>
/// <typeparam name="T">The record type: a generated record class, or <see cref="WorkbooksRecord"/>.</typeparam>
/// <typeparam name="TFields">The filter shape: a generated <c>…Fields</c> class, or <see cref="Filters.RecordFields"/>.</typeparam>
public sealed class WorkbooksEndpoint<T, TFields> : WorkbooksQuery<T, TFields> where T : class
{
    /// <summary>Binds a record type to its endpoint (generated code calls this).</summary>
    /// <param name="session">The connected session.</param>
    /// <param name="controllerPath">The record type's controller path, e.g. <c>crm/people</c>.</param>
    /// <param name="fields">The root of the type's filter shape.</param>
    /// <param name="reader">Reads the type's records (its <see cref="RecordReader{T}.Shape"/> says which fields may be created and updated).</param>
    public WorkbooksEndpoint(WorkbooksSession session, string controllerPath, TFields fields, RecordReader<T> reader)
        : base(session, controllerPath, fields, reader)
    {
    }

    /// <summary>Reads this type's records; its <see cref="RecordReader{T}.Shape"/> lists the type's fields.</summary>
    public RecordReader<T> Reader => RecordReader;

    /// <summary>A change set of creates, updates and deletes of this record type.</summary>
    public WorkbooksChangeSet<T> Changes() => new(new WorkbooksChangeSet(Session, ControllerPath) { NotUpdateable = RecordReader.Shape.NotUpdateable }, RecordReader);
}
