using SortKey = Workbooks.Wire.SortKey;
using System.Runtime.CompilerServices;
using Workbooks.Reading;
using Workbooks.Transport;
using Workbooks.Wire;

namespace Workbooks;

/// <summary>How the runtime reads records of one type and finds the two fields paging relies on.</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Reader">Reads one record from the response.</param>
/// <param name="IdOf">The record's id (keyset paging).</param>
/// <param name="UpdatedAtOf">The record's updated_at (delta sync).</param>
public sealed record RecordBinding<T>(IWorkbooksRecordReader<T> Reader, Func<T, long> IdOf, Func<T, DateTimeOffset?> UpdatedAtOf);

/// <summary>Bindings the runtime provides.</summary>
public static class RecordBindings
{
    /// <summary>The binding of untyped <see cref="WorkbooksRecord"/>s.</summary>
    public static RecordBinding<WorkbooksRecord> Untyped { get; } =
        new(WorkbooksRecordReader.Instance, r => r.Id, r => r.GetDateTime("updated_at"));
}

/// <summary>
/// An immutable index query over one record type, consumed as an <see cref="IAsyncEnumerable{T}"/> that pages through
/// every matching record while holding one record at a time. Ordered by id (the default), it pages by keyset
/// (<c>id &gt; last seen</c>), so records inserted or deleted meanwhile cause neither duplicates nor skips.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class WorkbooksQuery<T> : IAsyncEnumerable<T>
{
    private readonly WorkbooksSession _session;
    private readonly RecordBinding<T> _binding;

    internal WorkbooksQuery(WorkbooksSession session, string controllerPath, RecordBinding<T> binding)
    {
        _session = session;
        ControllerPath = controllerPath.Trim('/');
        _binding = binding;
    }

    private WorkbooksQuery(WorkbooksQuery<T> other)
    {
        _session = other._session;
        _binding = other._binding;
        ControllerPath = other.ControllerPath;
        Filter = other.Filter;
        Columns = other.Columns;
        Sorts = other.Sorts;
        SkipCount = other.SkipCount;
        TakeCount = other.TakeCount;
        PageSizeValue = other.PageSizeValue;
        IncludesDeleted = other.IncludesDeleted;
        FilterForm = other.FilterForm;
    }

    /// <summary>The endpoint, e.g. <c>crm/people</c>.</summary>
    public string ControllerPath { get; }

    /// <summary>The filter (null: every record).</summary>
    public WorkbooksFilter? Filter { get; private init; }

    /// <summary>The selected columns (empty: all).</summary>
    public IReadOnlyList<string> Columns { get; private init; } = [];

    /// <summary>The sort order (empty: by id).</summary>
    public IReadOnlyList<SortKey> Sorts { get; private init; } = [];

    /// <summary>Records skipped before the first one returned.</summary>
    public int SkipCount { get; private init; }

    /// <summary>The most records returned (null: all).</summary>
    public int? TakeCount { get; private init; }

    /// <summary>Records per request.</summary>
    public int PageSizeValue { get; private init; } = 100;

    /// <summary>Whether soft-deleted records are included (the guide's <c>is_deleted = 1 OR is_deleted = 0</c>).</summary>
    public bool IncludesDeleted { get; private init; }

    /// <summary>How the filter travels (triples or <c>_filter_json</c>).</summary>
    public FilterWireForm FilterForm { get; private init; } = FilterWireForm.Triples;

    /// <summary>Adds a filter (AND-ed with any earlier one).</summary>
    public WorkbooksQuery<T> Where(WorkbooksFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new(this) { Filter = Filter is null ? filter : Filter & filter };
    }

    /// <summary>Returns only these columns (id is always included).</summary>
    public WorkbooksQuery<T> Select(params IEnumerable<string> columns) => new(this) { Columns = [.. columns] };

    /// <summary>Sorts by a column (replacing any earlier order).</summary>
    public WorkbooksQuery<T> OrderBy(string field, bool descending = false) => new(this) { Sorts = [new SortKey(field, descending ? SortDirection.Descending : SortDirection.Ascending)] };

    /// <summary>Adds a further sort column.</summary>
    public WorkbooksQuery<T> ThenBy(string field, bool descending = false) => new(this) { Sorts = [.. Sorts, new SortKey(field, descending ? SortDirection.Descending : SortDirection.Ascending)] };

    /// <summary>Skips the first <paramref name="count"/> records.</summary>
    public WorkbooksQuery<T> Skip(int count) => count < 0 ? throw new ArgumentOutOfRangeException(nameof(count)) : new(this) { SkipCount = count };

    /// <summary>Returns at most <paramref name="count"/> records.</summary>
    public WorkbooksQuery<T> Take(int count) => count < 0 ? throw new ArgumentOutOfRangeException(nameof(count)) : new(this) { TakeCount = count };

    /// <summary>Records per request (1 to 10,000; the guide suggests 100).</summary>
    public WorkbooksQuery<T> PageSize(int size) => size is < 1 or > 10_000 ? throw new ArgumentOutOfRangeException(nameof(size), size, "A page holds 1 to 10,000 records.") : new(this) { PageSizeValue = size };

    /// <summary>Includes soft-deleted records.</summary>
    public WorkbooksQuery<T> IncludeDeleted(bool include = true) => new(this) { IncludesDeleted = include };

    /// <summary>Sends the filter as triples, as <c>_filter_json</c>, or as the shorter of the two.</summary>
    public WorkbooksQuery<T> WithFilterForm(FilterWireForm form) => new(this) { FilterForm = form };

    /// <summary>Whether paging is by keyset: ordered by id alone, ascending or descending.</summary>
    public bool UsesKeysetPaging => Sorts.Count == 0 || (Sorts.Count == 1 && Sorts[0].Field == "id");

    /// <summary>The parameters of the first request, as they go on the wire (no credentials).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToParameters() =>
        BuildParameters(Math.Min(PageSizeValue, TakeCount ?? int.MaxValue), null, SkipCount, skipTotal: true);

    /// <summary>The first request, form-encoded: exactly what the service receives (apart from credentials and the cache-buster).</summary>
    public override string ToString() => $"{ControllerPath}.api?{FormEncoder.EncodeToString(ToParameters())}";

    private List<KeyValuePair<string, string>> BuildParameters(int limit, long? afterId, int start, bool skipTotal)
    {
        var filter = Filter;
        if (IncludesDeleted)
        {
            var deleted = WorkbooksFilter.Field("is_deleted").Equal(true) | WorkbooksFilter.Field("is_deleted").Equal(false);
            filter = filter is null ? deleted : deleted & filter;
        }
        if (afterId is { } last)
        {
            var descending = Sorts.Count == 1 && Sorts[0].Direction == SortDirection.Descending;
            var keyset = descending ? WorkbooksFilter.Field("id").LessThan(last) : WorkbooksFilter.Field("id").GreaterThan(last);
            filter = filter is null ? keyset : filter & keyset;
        }
        IReadOnlyList<SortKey> sorts = Sorts.Count == 0 ? [SortKey.Ascending("id")] : Sorts;
        if (sorts.All(s => s.Field != "id"))
            sorts = [.. sorts, SortKey.Ascending("id")]; // a unique tiebreak makes offset pages deterministic
        return QueryParameters.Build(new IndexQuery
        {
            Filter = filter,
            FilterForm = FilterForm,
            SelectColumns = Columns.Count == 0 || Columns.Contains("id") ? Columns : ["id", .. Columns],
            Sort = sorts,
            Start = start,
            Limit = limit,
            SkipTotalRows = skipTotal,
        });
    }

    /// <summary>Pages through every matching record.</summary>
    public async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var remaining = TakeCount ?? int.MaxValue;
        var keyset = UsesKeysetPaging;
        long? lastId = null;
        var start = SkipCount;
        while (remaining > 0)
        {
            var limit = Math.Min(PageSizeValue, remaining);
            var request = new WorkbooksRequest(WorkbooksRequestKind.Read, ControllerPath)
                .AddRange(BuildParameters(limit, keyset ? lastId : null, keyset && lastId is not null ? 0 : start, skipTotal: true));
            var count = 0;
            using (var response = await _session.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                await foreach (var record in IndexPageReader.Read(response.Content, _binding.Reader).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    count++;
                    lastId = _binding.IdOf(record);
                    yield return record;
                }
            }
            remaining -= count;
            if (count < limit)
                yield break;
            if (!keyset)
                start += count;
        }
    }

    /// <summary>Every matching record in a list.</summary>
    public async Task<List<T>> ToListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<T>();
        await foreach (var record in WithCancellation(cancellationToken).ConfigureAwait(false))
            list.Add(record);
        return list;
    }

    /// <summary>The first matching record, or default.</summary>
    public async Task<T?> FirstOrDefaultAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var record in Take(1).WithCancellation(cancellationToken).ConfigureAwait(false))
            return record;
        return default;
    }

    /// <summary>How many records match (the service's <c>total</c>; one request).</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        var request = new WorkbooksRequest(WorkbooksRequestKind.Read, ControllerPath)
            .AddRange(new WorkbooksQuery<T>(this) { Columns = ["id"] }.BuildParameters(1, null, 0, skipTotal: false));
        using var response = await _session.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var page = IndexPageReader.Read(response.Content, _binding.Reader);
        await foreach (var _ in page.WithCancellation(cancellationToken).ConfigureAwait(false)) { }
        return page.Total ?? throw new WorkbooksProtocolException($"{request} answered without a total.");
    }

    /// <summary>Cancellation for <c>await foreach</c>.</summary>
    public ConfiguredCancelableAsyncEnumerable<T> WithCancellation(CancellationToken cancellationToken) =>
        ((IAsyncEnumerable<T>)this).WithCancellation(cancellationToken);

    /// <summary>
    /// The guide's "Deltas" technique: records added, changed or deleted since <paramref name="cursor"/>, ordered by
    /// updated_at then id, excluding the ids already seen in the cursor's last second. The cursor moves forward as
    /// records are read; save <see cref="DeltaCursor.Current"/> after processing them.
    /// </summary>
    public async IAsyncEnumerable<T> ChangesSinceAsync(DeltaCursor cursor, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        while (true)
        {
            var position = cursor.Current;
            var query = new WorkbooksQuery<T>(this) { Sorts = [SortKey.Ascending("updated_at"), SortKey.Ascending("id")], IncludesDeleted = true, SkipCount = 0, TakeCount = null };
            if (position.UpdatedAt is { } since)
            {
                var window = WorkbooksFilter.Field("updated_at").GreaterThanOrEqual(since);
                query = query.Where(position.SeenIds.Count == 0 ? window : window & !WorkbooksFilter.Field("id").In(position.SeenIds));
            }
            if (Columns.Count > 0 && !Columns.Contains("updated_at"))
                query = query.Select([.. Columns, "updated_at"]);
            var request = new WorkbooksRequest(WorkbooksRequestKind.Read, ControllerPath).AddRange(query.BuildParameters(PageSizeValue, null, 0, skipTotal: true));
            var count = 0;
            using (var response = await _session.SendAsync(request, cancellationToken).ConfigureAwait(false))
            {
                await foreach (var record in IndexPageReader.Read(response.Content, _binding.Reader).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    count++;
                    cursor.Advance(_binding.UpdatedAtOf(record), _binding.IdOf(record));
                    yield return record;
                }
            }
            if (count < PageSizeValue)
                yield break;
        }
    }

    /// <summary>
    /// The guide's "Queuing" technique: reads the first page of matching records again and again, handing each to
    /// <paramref name="process"/>, which must change the records so that they no longer match. Stops when a page is
    /// empty; refuses to spin when the same records come back unprocessed.
    /// </summary>
    /// <returns>How many records were processed.</returns>
    public async Task<long> ProcessQueueAsync(Func<IReadOnlyList<T>, CancellationToken, Task> process, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(process);
        long total = 0;
        long[]? previous = null;
        while (true)
        {
            var page = await new WorkbooksQuery<T>(this) { SkipCount = 0, TakeCount = PageSizeValue }.ToListAsync(cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
                return total;
            var ids = page.Select(_binding.IdOf).ToArray();
            if (previous is not null && ids.SequenceEqual(previous))
                throw new InvalidOperationException($"The queue of {ControllerPath} returned the same {ids.Length} records twice: the processing step must change them so that the filter no longer selects them.");
            await process(page, cancellationToken).ConfigureAwait(false);
            total += page.Count;
            previous = ids;
        }
    }
}

/// <summary>Where a delta sync has got to: the last updated_at seen and the ids seen in that second.</summary>
public sealed class DeltaCursor
{
    private readonly Lock _gate = new();
    private DeltaPosition _current;

    /// <summary>Starts from the beginning (every record).</summary>
    public DeltaCursor() : this(new DeltaPosition(null, [])) { }

    /// <summary>Resumes from a saved position.</summary>
    public DeltaCursor(DeltaPosition position) => _current = position ?? throw new ArgumentNullException(nameof(position));

    /// <summary>The position to save.</summary>
    public DeltaPosition Current
    {
        get
        {
            lock (_gate) return _current;
        }
    }

    internal void Advance(DateTimeOffset? updatedAt, long id)
    {
        if (updatedAt is not { } at)
            return;
        lock (_gate)
        {
            if (_current.UpdatedAt is not { } last || at > last)
                _current = new DeltaPosition(at, [id]);
            else if (at == last && !_current.SeenIds.Contains(id))
                _current = new DeltaPosition(last, [.. _current.SeenIds, id]);
        }
    }
}

/// <summary>A saved delta-sync position.</summary>
/// <param name="UpdatedAt">The latest updated_at processed (null: from the beginning).</param>
/// <param name="SeenIds">The ids processed whose updated_at is that second.</param>
public sealed record DeltaPosition(DateTimeOffset? UpdatedAt, IReadOnlyList<long> SeenIds);
