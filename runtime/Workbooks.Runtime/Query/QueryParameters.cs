using System.Globalization;
using Workbooks.Filters;
using Workbooks.Transport;

namespace Workbooks.Query;

/// <summary>A sort direction (<c>_dir</c>).</summary>
internal enum SortDirection
{
    /// <summary><c>ASC</c>.</summary>
    Ascending,
    /// <summary><c>DESC</c>.</summary>
    Descending,
}

/// <summary>One sort column (<c>_sort</c>/<c>_dir</c>).</summary>
/// <param name="Field">The column.</param>
/// <param name="Direction">The direction.</param>
internal readonly record struct SortKey(string Field, SortDirection Direction = SortDirection.Ascending)
{
    /// <summary>An ascending sort on the field.</summary>
    public static SortKey Ascending(string field) => new(field, SortDirection.Ascending);

    /// <summary>A descending sort on the field.</summary>
    public static SortKey Descending(string field) => new(field, SortDirection.Descending);
}

/// <summary>What an index (list) request asks for; <see cref="QueryParameters.Build"/> turns it into parameters.</summary>
internal sealed class IndexQuery
{
    /// <summary>The filter, or null for every record.</summary>
    public WorkbooksFilter? Filter { get; init; }

    /// <summary>How the filter travels (triples by default).</summary>
    public FilterWireForm FilterForm { get; init; } = FilterWireForm.Triples;

    /// <summary>The columns to return (<c>_select_columns[]</c>); empty for all.</summary>
    public IReadOnlyList<string> SelectColumns { get; init; } = [];

    /// <summary>The sort order; one key is sent as <c>_sort</c>/<c>_dir</c>, several as <c>_sort[]</c>/<c>_dir[]</c>.</summary>
    public IReadOnlyList<SortKey> Sort { get; init; } = [];

    /// <summary>The zero-based offset (<c>_start</c>).</summary>
    public int Start { get; init; }

    /// <summary>The page size (<c>_limit</c>); always sent together with <c>_start</c>, which the service requires.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>Sends <c>__skip_total_rows=1</c> so the service does not count every matching row.</summary>
    public bool SkipTotalRows { get; init; }

    /// <summary>Further parameters appended as given (e.g. <c>_json_output_datetime_format</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraParameters { get; init; } = [];
}

/// <summary>Builds the ordered parameters of an index request.</summary>
internal static class QueryParameters
{
    /// <summary>
    /// <c>_start</c>, <c>_limit</c>, the sort, the filter, <c>_select_columns[]</c>, <c>__skip_total_rows</c>, then the
    /// extra parameters.
    /// </summary>
    /// <exception cref="ArgumentException">Start or limit is negative, or a sort or column name is empty.</exception>
    public static List<KeyValuePair<string, string>> Build(IndexQuery query)
    {
        var list = new List<KeyValuePair<string, string>>();
        AppendTo(list, query);
        return list;
    }

    /// <summary>Appends the parameters of <paramref name="query"/> (see <see cref="Build"/>).</summary>
    public static void AppendTo(ICollection<KeyValuePair<string, string>> target, IndexQuery query)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Start, nameof(query));
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit, nameof(query));

        target.Add(new(Protocol.Start, query.Start.ToString(CultureInfo.InvariantCulture)));
        target.Add(new(Protocol.Limit, query.Limit.ToString(CultureInfo.InvariantCulture)));

        var sort = query.Sort ?? [];
        if (sort.Count == 1)
        {
            target.Add(new(Protocol.Sort, SortField(sort[0])));
            target.Add(new(Protocol.Direction, Direction(sort[0].Direction)));
        }
        else
        {
            foreach (var key in sort)
            {
                target.Add(new(Protocol.SortArray, SortField(key)));
                target.Add(new(Protocol.DirectionArray, Direction(key.Direction)));
            }
        }

        if (query.Filter is { } filter)
            FilterEncoding.Encode(filter).AppendTo(target, query.FilterForm);

        foreach (var column in query.SelectColumns ?? [])
        {
            if (string.IsNullOrEmpty(column)) throw new ArgumentException("A selected column name cannot be empty.", nameof(query));
            target.Add(new(Protocol.SelectColumns, column));
        }

        if (query.SkipTotalRows)
            target.Add(new(Protocol.SkipTotalRows, "1"));

        foreach (var pair in query.ExtraParameters ?? [])
            target.Add(pair);
    }

    /// <summary>The <c>_dir</c> spelling: <c>ASC</c> or <c>DESC</c>.</summary>
    public static string Direction(SortDirection direction) => direction switch
    {
        SortDirection.Ascending => "ASC",
        SortDirection.Descending => "DESC",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "Not a sort direction."),
    };

    private static string SortField(SortKey key) =>
        string.IsNullOrEmpty(key.Field) ? throw new ArgumentException("A sort field cannot be empty.", nameof(key)) : key.Field;
}
