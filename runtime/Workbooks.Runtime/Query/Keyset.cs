using System.Globalization;
using System.Text.Json;
using Workbooks.Filters;
using Workbooks.Records;

namespace Workbooks.Query;

/// <summary>
/// Keyset paging for any sort order: the next page is the rows that sort after the last row read, written in the
/// filter language as <c>(a &gt; x) OR (a = x AND b &gt; y) OR (a = x AND b = y AND id &gt; z)</c>, so rows inserted or
/// deleted meanwhile move no row across a page boundary (offsets would skip or repeat them).
/// </summary>
/// <remarks>
/// Blank values (null or empty text) sort as one group, before every value ascending and after every value descending,
/// ordered by id within the group; the filter language can tell blank from not blank but not null from empty, and the
/// emulator models the service this way (the guide is silent on how nulls sort). Text compares as the service compares
/// it for both sorting and filtering, so equality in the filter agrees with ties in the sort.
/// </remarks>
internal static class Keyset
{
    /// <summary>The sort with its unique tiebreak: every key up to and including <c>id</c>, ascending id added when absent.</summary>
    public static IReadOnlyList<SortKey> Complete(IReadOnlyList<SortKey> sorts)
    {
        var list = new List<SortKey>();
        foreach (var key in sorts)
        {
            list.Add(key);
            if (key.Field == "id")
                return list; // id is unique: keys after it never decide an order
        }
        list.Add(SortKey.Ascending("id"));
        return list;
    }

    /// <summary>The rows that sort after <paramref name="last"/> under <paramref name="sorts"/> (as <see cref="Complete"/> returns them).</summary>
    /// <exception cref="WorkbooksProtocolException">The last row lacks a sort value (the service did not send the column).</exception>
    public static WorkbooksFilter After(IReadOnlyList<SortKey> sorts, WorkbooksRecord last)
    {
        var disjuncts = new List<WorkbooksFilter>();
        var equalSoFar = new List<WorkbooksFilter>();
        foreach (var key in sorts)
        {
            var (value, flag) = ValueOf(last, key.Field);
            var field = new FilterField(key.Field);
            var descending = key.Direction == SortDirection.Descending;
            WorkbooksFilter? after = (value, flag, descending) switch
            {
                // Booleans have no order operators: false < true, blanks first ascending and last descending.
                (_, false, false) => field.IsTrue(),
                (_, true, false) => null,
                (_, true, true) => field.IsFalse() | field.IsBlank(),
                (_, false, true) => field.IsBlank(),
                (null, _, false) => field.IsNotBlank(),                   // blanks come first: every value is after them
                (null, _, true) => null,                                   // blanks come last: nothing is after them
                ({ } v, _, false) => WorkbooksFilter.Condition(key.Field, FilterOperator.GreaterThan, FilterValues.Text(v)),
                ({ } v, _, true) => WorkbooksFilter.Condition(key.Field, FilterOperator.LessThan, FilterValues.Text(v)) | field.IsBlank(),
            };
            if (after is not null)
                disjuncts.Add(equalSoFar.Count == 0 ? after : WorkbooksFilter.And([.. equalSoFar, after]));
            equalSoFar.Add(flag is { } b ? (b ? field.IsTrue() : field.IsFalse()) : value is null ? field.IsBlank() : field.Equal(value));
        }
        return disjuncts.Count switch
        {
            0 => throw new InvalidOperationException("A sort ending in a unique key always has rows after any row but the last."),
            _ => WorkbooksFilter.Or(disjuncts),
        };
    }

    /// <summary>A sort value as the service sent it, as criteria text before escaping (null: blank). Commas are escaped
    /// for every operator (the service reads <c>\,</c> as a literal comma in any criteria).</summary>
    private static (string? Text, bool? Flag) ValueOf(WorkbooksRecord record, string field)
    {
        if (field == "id")
            return (record.Id.ToString(CultureInfo.InvariantCulture), null);
        if (!record.TryGetRaw(field, out var raw))
            throw new WorkbooksProtocolException($"A row sorted by '{field}' came without that column, so the next page cannot start after it.");
        return raw.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => (null, null),
            JsonValueKind.String => (raw.GetString() is { Length: > 0 } text ? text : null, null),
            JsonValueKind.Number => (raw.GetRawText(), null),
            JsonValueKind.True => ("1", true),
            JsonValueKind.False => ("0", false),
            _ => throw new WorkbooksProtocolException($"'{field}' holds a JSON {raw.ValueKind}, which cannot be sorted on and paged through."),
        };
    }
}
