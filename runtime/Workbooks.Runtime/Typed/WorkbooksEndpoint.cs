using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Workbooks.Reading;
using Workbooks.Wire;

namespace Workbooks.Typed;

/// <summary>
/// Reads the records of one generated type: each record is read in one pass through the type's
/// <see cref="RecordShape"/> and wrapped in its class. Generated code declares one per type (<c>Person.Reader</c>).
/// </summary>
/// <typeparam name="T">The generated record class.</typeparam>
public sealed class EntityReader<T> : IWorkbooksRecordReader<T>, IBufferedRecordReader<T> where T : WorkbooksEntity
{
    private readonly Func<WorkbooksRecord, T> _wrap;

    /// <summary>Creates the reader of a generated type.</summary>
    /// <param name="shape">The type's fields.</param>
    /// <param name="wrap">Wraps a record in the generated class.</param>
    public EntityReader(RecordShape shape, Func<WorkbooksRecord, T> wrap)
    {
        Shape = shape ?? throw new ArgumentNullException(nameof(shape));
        _wrap = wrap ?? throw new ArgumentNullException(nameof(wrap));
    }

    /// <summary>The type's fields.</summary>
    public RecordShape Shape { get; }

    /// <inheritdoc />
    public T Read(ref Utf8JsonReader reader) => _wrap(WorkbooksRecord.ReadFrom(ref reader, Shape));

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

/// <summary>
/// A typed, immutable query over one record type: the filter shape <typeparamref name="TFields"/> offers only the
/// operators each field's datatype supports, so a query that compiles is one the service accepts.
/// </summary>
/// <typeparam name="T">The generated record class.</typeparam>
/// <typeparam name="TFields">The generated filter shape.</typeparam>
public sealed class WorkbooksTypedQuery<T, TFields> : IAsyncEnumerable<T> where T : WorkbooksEntity
{
    private readonly WorkbooksQuery<T> _query;
    private readonly TFields _fields;

    internal WorkbooksTypedQuery(WorkbooksQuery<T> query, TFields fields)
    {
        _query = query;
        _fields = fields;
    }

    private WorkbooksTypedQuery<T, TFields> With(WorkbooksQuery<T> query) => new(query, _fields);

    /// <summary>The untyped query underneath (for anything the typed surface does not cover).</summary>
    public WorkbooksQuery<T> Untyped => _query;

    /// <summary>Adds a filter (AND-ed with earlier ones): <c>Where(p =&gt; p.Name.StartsWith("J") &amp;&amp; !p.Email.IsBlank())</c>.</summary>
    public WorkbooksTypedQuery<T, TFields> Where(Func<TFields, WorkbooksFilter> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return With(_query.Where(predicate(_fields)));
    }

    /// <summary>Sorts ascending by a field (replacing any earlier order).</summary>
    public WorkbooksTypedQuery<T, TFields> OrderBy(Func<TFields, IWorkbooksField> field) => With(_query.OrderBy(Name(field)));

    /// <summary>Sorts descending by a field (replacing any earlier order).</summary>
    public WorkbooksTypedQuery<T, TFields> OrderByDescending(Func<TFields, IWorkbooksField> field) => With(_query.OrderBy(Name(field), descending: true));

    /// <summary>Adds an ascending sort field.</summary>
    public WorkbooksTypedQuery<T, TFields> ThenBy(Func<TFields, IWorkbooksField> field) => With(_query.ThenBy(Name(field)));

    /// <summary>Adds a descending sort field.</summary>
    public WorkbooksTypedQuery<T, TFields> ThenByDescending(Func<TFields, IWorkbooksField> field) => With(_query.ThenBy(Name(field), descending: true));

    /// <summary>Returns only these columns (id always included); the other properties read as null.</summary>
    public WorkbooksTypedQuery<T, TFields> Select(params IEnumerable<Func<TFields, IWorkbooksField>> fields) =>
        With(_query.Select(fields.Select(Name)));

    /// <summary>Skips records.</summary>
    public WorkbooksTypedQuery<T, TFields> Skip(int count) => With(_query.Skip(count));

    /// <summary>Returns at most <paramref name="count"/> records.</summary>
    public WorkbooksTypedQuery<T, TFields> Take(int count) => With(_query.Take(count));

    /// <summary>Records per request.</summary>
    public WorkbooksTypedQuery<T, TFields> PageSize(int size) => With(_query.PageSize(size));

    /// <summary>Includes soft-deleted records.</summary>
    public WorkbooksTypedQuery<T, TFields> IncludeDeleted(bool include = true) => With(_query.IncludeDeleted(include));

    /// <summary>Every matching record in a list.</summary>
    public Task<List<T>> ToListAsync(CancellationToken cancellationToken = default) => _query.ToListAsync(cancellationToken);

    /// <summary>The first matching record, or null.</summary>
    public Task<T?> FirstOrDefaultAsync(CancellationToken cancellationToken = default) => _query.FirstOrDefaultAsync(cancellationToken);

    /// <summary>How many records match.</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken = default) => _query.CountAsync(cancellationToken);

    /// <summary>Changes since a delta cursor (see <see cref="WorkbooksQuery{T}.ChangesSinceAsync"/>).</summary>
    public IAsyncEnumerable<T> ChangesSinceAsync(DeltaCursor cursor, CancellationToken cancellationToken = default) => _query.ChangesSinceAsync(cursor, cancellationToken);

    /// <summary>The queue pattern (see <see cref="WorkbooksQuery{T}.ProcessQueueAsync"/>).</summary>
    public Task<long> ProcessQueueAsync(Func<IReadOnlyList<T>, CancellationToken, Task> process, CancellationToken cancellationToken = default) =>
        _query.ProcessQueueAsync(process, cancellationToken);

    /// <summary>Cancellation for <c>await foreach</c>.</summary>
    public ConfiguredCancelableAsyncEnumerable<T> WithCancellation(CancellationToken cancellationToken) => _query.WithCancellation(cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) => _query.GetAsyncEnumerator(cancellationToken);

    /// <summary>The exact first request (see <see cref="WorkbooksQuery{T}.ToString"/>).</summary>
    public override string ToString() => _query.ToString();

    private string Name(Func<TFields, IWorkbooksField> field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field(_fields).Name;
    }
}

/// <summary>
/// The query root of one record type on a generated client (<c>crm.People</c>): start a query, enumerate every
/// record, or open a change set.
/// </summary>
/// <typeparam name="T">The generated record class.</typeparam>
/// <typeparam name="TFields">The generated filter shape.</typeparam>
public sealed class WorkbooksEndpoint<T, TFields> : IAsyncEnumerable<T> where T : WorkbooksEntity
{
    private readonly WorkbooksSession _session;
    private readonly WorkbooksTypedQuery<T, TFields> _all;

    /// <summary>Binds a record type to its endpoint (generated code calls this).</summary>
    public WorkbooksEndpoint(WorkbooksSession session, string controllerPath, TFields fields, EntityReader<T> reader)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(reader);
        _session = session;
        ControllerPath = controllerPath;
        Reader = reader;
        var binding = new RecordBinding<T>(reader, e => e.Id, e => e.Record.GetDateTime("updated_at"));
        _all = new WorkbooksTypedQuery<T, TFields>(session.Records(controllerPath, binding), fields);
    }

    /// <summary>The endpoint, e.g. <c>crm/people</c>.</summary>
    public string ControllerPath { get; }

    /// <summary>Reads this type's records (its <see cref="EntityReader{T}.Shape"/> says which fields may be created and updated).</summary>
    public EntityReader<T> Reader { get; }

    /// <summary>A query with a filter.</summary>
    public WorkbooksTypedQuery<T, TFields> Where(Func<TFields, WorkbooksFilter> predicate) => _all.Where(predicate);

    /// <summary>A query sorted by a field.</summary>
    public WorkbooksTypedQuery<T, TFields> OrderBy(Func<TFields, IWorkbooksField> field) => _all.OrderBy(field);

    /// <summary>A query sorted descending by a field.</summary>
    public WorkbooksTypedQuery<T, TFields> OrderByDescending(Func<TFields, IWorkbooksField> field) => _all.OrderByDescending(field);

    /// <summary>A query returning only some columns.</summary>
    public WorkbooksTypedQuery<T, TFields> Select(params IEnumerable<Func<TFields, IWorkbooksField>> fields) => _all.Select(fields);

    /// <summary>A query skipping records.</summary>
    public WorkbooksTypedQuery<T, TFields> Skip(int count) => _all.Skip(count);

    /// <summary>A query returning at most <paramref name="count"/> records.</summary>
    public WorkbooksTypedQuery<T, TFields> Take(int count) => _all.Take(count);

    /// <summary>A query with a page size.</summary>
    public WorkbooksTypedQuery<T, TFields> PageSize(int size) => _all.PageSize(size);

    /// <summary>A query including soft-deleted records.</summary>
    public WorkbooksTypedQuery<T, TFields> IncludeDeleted(bool include = true) => _all.IncludeDeleted(include);

    /// <summary>How many records there are.</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken = default) => _all.CountAsync(cancellationToken);

    /// <summary>Every record.</summary>
    public Task<List<T>> ToListAsync(CancellationToken cancellationToken = default) => _all.ToListAsync(cancellationToken);

    /// <summary>Changes since a delta cursor.</summary>
    public IAsyncEnumerable<T> ChangesSinceAsync(DeltaCursor cursor, CancellationToken cancellationToken = default) => _all.ChangesSinceAsync(cursor, cancellationToken);

    /// <summary>A change set of creates, updates and deletes of this type.</summary>
    public WorkbooksTypedChangeSet<T> Changes() => new(_session.Changes(ControllerPath), Reader.Shape);

    /// <inheritdoc />
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) => _all.GetAsyncEnumerator(cancellationToken);

    /// <summary>The first request of an unfiltered query.</summary>
    public override string ToString() => _all.ToString();
}

/// <summary>A typed change set: creates, updates (changed properties only) and deletes, submitted together.</summary>
/// <typeparam name="T">The generated record class.</typeparam>
public sealed class WorkbooksTypedChangeSet<T> where T : WorkbooksEntity
{
    private readonly WorkbooksChangeSet _changes;
    private readonly RecordShape _shape;

    internal WorkbooksTypedChangeSet(WorkbooksChangeSet changes, RecordShape shape)
    {
        _changes = changes;
        _shape = shape;
    }

    /// <summary>How many objects the change set holds.</summary>
    public int Count => _changes.Count;

    /// <summary>Adds a create; the record gets its id and lock_version on submit.</summary>
    /// <exception cref="ArgumentException">A field the schema does not let a create set was set.</exception>
    public T Create(T record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Check(record, _shape.NotCreateable, "set when creating a record");
        _changes.Create(record.Record);
        return record;
    }

    /// <summary>Adds an update of the properties changed since the record was read.</summary>
    /// <exception cref="ArgumentException">A field the schema does not let an update set was set.</exception>
    public T Update(T record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Check(record, _shape.NotUpdateable, "changed by an update");
        _changes.Update(record.Record);
        return record;
    }

    /// <summary>Adds a delete.</summary>
    public void Delete(T record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _changes.Delete(record.Record);
    }

    /// <summary>Submits (see <see cref="WorkbooksChangeSet.SubmitAsync"/>).</summary>
    public Task<ChangeSetResult> SubmitAsync(ChangeSetOptions? options = null, CancellationToken cancellationToken = default) =>
        _changes.SubmitAsync(options, cancellationToken);

    /// <summary>Refuses, before anything is sent, a record that sets fields the schema forbids for this operation.</summary>
    private static void Check(T record, IReadOnlySet<string> forbidden, string operation)
    {
        if (forbidden.Count == 0)
            return;
        var refused = record.ChangedFields.Where(forbidden.Contains).Order(StringComparer.Ordinal).ToList();
        if (refused.Count > 0)
            throw new ArgumentException(
                $"{typeof(T).Name} {(record.Id == 0 ? "(new)" : record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))} sets "
                + string.Join(", ", refused.Select(f => $"'{f}'")) + $", which the schema says cannot be {operation}; the record was not added to the change set.",
                nameof(record));
    }
}
