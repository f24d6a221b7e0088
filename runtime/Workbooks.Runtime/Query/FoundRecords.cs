namespace Workbooks.Query;

/// <summary>What <see cref="WorkbooksQuery{T, TFields}.FindManyAsync"/> found: the records in the order their ids were given, and the ids it did not find.</summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class FoundRecords<T>
{
    internal FoundRecords(IReadOnlyList<T> records, IReadOnlyList<long> missing)
    {
        Records = records;
        Missing = missing;
    }

    /// <summary>The records found, in the order their ids were given.</summary>
    public IReadOnlyList<T> Records { get; }

    /// <summary>The ids not found (no such record, deleted, or left out by the query's filter), in the order given.</summary>
    public IReadOnlyList<long> Missing { get; }

    /// <summary>Whether every id was found.</summary>
    public bool AllFound => Missing.Count == 0;
}
