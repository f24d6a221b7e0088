using System.Globalization;
using Workbooks.Records;

namespace Workbooks.Changes;

/// <summary>
/// A change set of one record type: creates, updates (changed properties only) and deletes, submitted together.
/// Each record is checked against the type's <see cref="RecordShape"/> when it is added, before anything is sent.
/// </summary>
/// <typeparam name="T">The record type: a generated record class, or <see cref="WorkbooksRecord"/>.</typeparam>
public sealed class WorkbooksChangeSet<T> : IChangeStep where T : class
{
    private readonly WorkbooksChangeSet _changes;
    private readonly RecordReader<T> _reader;

    internal WorkbooksChangeSet(WorkbooksChangeSet changes, RecordReader<T> reader)
    {
        _changes = changes;
        _reader = reader;
    }

    /// <summary>How many objects the change set holds.</summary>
    public int Count => _changes.Count;

    /// <summary>Adds a create; the record gets its id and lock_version on submit.</summary>
    /// <exception cref="ArgumentException">A field the schema does not let a create set was set.</exception>
    public T Create(T record)
    {
        var raw = Checked(record, _reader.Shape.NotCreateable, "set when creating a record");
        _changes.Create(raw);
        return record;
    }

    /// <summary>Adds an update of the properties changed since the record was read.</summary>
    /// <exception cref="ArgumentException">A field the schema does not let an update set was set.</exception>
    public T Update(T record)
    {
        var raw = Checked(record, _reader.Shape.NotUpdateable, "changed by an update");
        _changes.Update(raw);
        return record;
    }

    /// <summary>
    /// Adds an upsert: created, or, when one record with the same <paramref name="keyField"/> value exists, that record
    /// updated (see <see cref="WorkbooksChangeSet.Upsert"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A field the schema does not let a create set was set, or the key has no value.</exception>
    public T Upsert(T record, string keyField = WorkbooksChangeSet.ReferenceField)
    {
        var raw = Checked(record, _reader.Shape.NotCreateable, "set when creating a record");
        _changes.Upsert(raw, keyField);
        return record;
    }

    /// <summary>Adds a delete.</summary>
    public void Delete(T record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _changes.Delete(_reader.RecordOf(record));
    }

    /// <summary>Submits the changes (see <see cref="WorkbooksChangeSet.SubmitAsync"/>).</summary>
    public Task<ChangeSetResult> SubmitAsync(ChangeSetOptions? options = null, CancellationToken cancellationToken = default) =>
        _changes.SubmitAsync(options, cancellationToken);

    /// <summary>Settles <see cref="ChangeOutcome.Unknown"/> outcomes by reading the records back (see <see cref="WorkbooksChangeSet.SettleAsync"/>).</summary>
    public Task<int> SettleAsync(ChangeSetResult result, CancellationToken cancellationToken = default) =>
        _changes.SettleAsync(result, cancellationToken);

    /// <summary>Refuses, before anything is sent, a record that sets fields the schema forbids for this operation.</summary>
    private WorkbooksRecord Checked(T record, IReadOnlySet<string> forbidden, string operation)
    {
        ArgumentNullException.ThrowIfNull(record);
        var raw = _reader.RecordOf(record);
        if (forbidden.Count == 0)
            return raw;
        var refused = raw.ChangedFields.Where(forbidden.Contains).Order(StringComparer.Ordinal).ToList();
        if (refused.Count > 0)
            throw new ArgumentException(
                $"{typeof(T).Name} {(raw.Id == 0 ? "(new)" : raw.Id.ToString(CultureInfo.InvariantCulture))} sets "
                + string.Join(", ", refused.Select(f => $"'{f}'")) + $", which the schema says cannot be {operation}; the record was not added to the change set.",
                nameof(record));
        return raw;
    }
}
