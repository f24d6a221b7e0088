using System.Runtime.CompilerServices;
using Workbooks.Filters;
using Workbooks.Records;
using Workbooks.Transport;

namespace Workbooks.Query;

/// <summary>
/// An immutable index query over one record type. Build it with <c>Where</c>, <c>OrderBy</c>, <c>Select</c>,
/// <c>Skip</c>/<c>Take</c>, then read it with <c>await foreach</c> (one record at a time, page by page),
/// <see cref="ToListAsync"/>, <see cref="FirstOrDefaultAsync"/> or <see cref="CountAsync"/>.
/// </summary>
/// <remarks>
/// <para>The query is not an <see cref="IAsyncEnumerable{T}"/>: <c>await foreach</c> binds to
/// <see cref="GetAsyncEnumerator"/>, so LINQ-to-objects operators never bind by accident and turn a filter the service
/// cannot run into a download of the whole table. <see cref="AsAsyncEnumerable"/> is the explicit step into LINQ.</para>
/// <para>Ordered by id (the default), the query pages by keyset (<c>id &gt; last seen</c>), so records inserted or
/// deleted meanwhile cause neither duplicates nor skips. Other orders page by offset.</para>
/// </remarks>
/// <typeparam name="T">The record type: a generated record class, or <see cref="WorkbooksRecord"/>.</typeparam>
/// <typeparam name="TFields">The filter shape: a generated <c>…Fields</c> class, or <see cref="RecordFields"/>.</typeparam>
public class WorkbooksQuery<T, TFields> where T : class
{
    private protected readonly WorkbooksSession Session;
    private protected readonly RecordReader<T> RecordReader;
    private protected readonly TFields Fields;

    private protected WorkbooksQuery(WorkbooksSession session, string controllerPath, TFields fields, RecordReader<T> reader)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(controllerPath);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(reader);
        Session = session;
        ControllerPath = controllerPath.Trim('/');
        Fields = fields;
        RecordReader = reader;
    }

    private WorkbooksQuery(WorkbooksQuery<T, TFields> other)
    {
        Session = other.Session;
        RecordReader = other.RecordReader;
        Fields = other.Fields;
        ControllerPath = other.ControllerPath;
        Filter = other.Filter;
        Columns = other.Columns;
        Sorts = other.Sorts;
        SkipCount = other.SkipCount;
        TakeCount = other.TakeCount;
        PageSizeValue = other.PageSizeValue;
        IncludesDeleted = other.IncludesDeleted;
        FilterForm = other.FilterForm;
        OffsetPaging = other.OffsetPaging;
    }

    /// <summary>The endpoint, e.g. <c>crm/people</c>.</summary>
    public string ControllerPath { get; }

    internal WorkbooksFilter? Filter { get; private init; }

    internal IReadOnlyList<string> Columns { get; private init; } = [];

    internal IReadOnlyList<SortKey> Sorts { get; private init; } = [];

    internal int SkipCount { get; private init; }

    internal int? TakeCount { get; private init; }

    internal int? PageSizeValue { get; private init; }

    internal bool IncludesDeleted { get; private init; }

    internal FilterWireForm FilterForm { get; private init; } = FilterWireForm.Triples;

    internal bool OffsetPaging { get; private init; }

    /// <summary>The sort as sent: the caller's keys up to the first id, then id ascending when id is not among them.</summary>
    internal IReadOnlyList<SortKey> EffectiveSorts => Keyset.Complete(Sorts);

    /// <summary>Adds a filter, AND-ed with earlier ones: <c>Where(p =&gt; p.Name.StartsWith("J") &amp;&amp; !p.Email.IsBlank())</c>.</summary>
    /// <param name="predicate">Builds the filter from the type's filter shape: only the operators each field's datatype supports exist.</param>
    public WorkbooksQuery<T, TFields> Where(Func<TFields, WorkbooksFilter> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Where(predicate(Fields));
    }

    /// <summary>Adds a filter built beforehand (AND-ed with earlier ones), e.g. <c>WorkbooksFilter.Field("name").StartsWith("J")</c>.</summary>
    public WorkbooksQuery<T, TFields> Where(WorkbooksFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new(this) { Filter = Filter is null ? filter : Filter & filter };
    }

    /// <summary>Sorts ascending by a field (replacing any earlier order).</summary>
    public WorkbooksQuery<T, TFields> OrderBy(Func<TFields, IWorkbooksField> field) => OrderBy(NameOf(field));

    /// <summary>Sorts descending by a field (replacing any earlier order).</summary>
    public WorkbooksQuery<T, TFields> OrderByDescending(Func<TFields, IWorkbooksField> field) => OrderByDescending(NameOf(field));

    /// <summary>Adds an ascending sort field after the earlier ones.</summary>
    public WorkbooksQuery<T, TFields> ThenBy(Func<TFields, IWorkbooksField> field) => ThenBy(NameOf(field));

    /// <summary>Adds a descending sort field after the earlier ones.</summary>
    public WorkbooksQuery<T, TFields> ThenByDescending(Func<TFields, IWorkbooksField> field) => ThenByDescending(NameOf(field));

    /// <summary>Sorts ascending by a field given by its wire name, e.g. <c>main_location[town]</c> (replacing any earlier order).</summary>
    public WorkbooksQuery<T, TFields> OrderBy(string field) => new(this) { Sorts = [SortKey.Ascending(Checked(field))] };

    /// <summary>Sorts descending by a field given by its wire name (replacing any earlier order).</summary>
    public WorkbooksQuery<T, TFields> OrderByDescending(string field) => new(this) { Sorts = [SortKey.Descending(Checked(field))] };

    /// <summary>Adds an ascending sort field given by its wire name.</summary>
    public WorkbooksQuery<T, TFields> ThenBy(string field) => new(this) { Sorts = [.. Sorts, SortKey.Ascending(Checked(field))] };

    /// <summary>Adds a descending sort field given by its wire name.</summary>
    public WorkbooksQuery<T, TFields> ThenByDescending(string field) => new(this) { Sorts = [.. Sorts, SortKey.Descending(Checked(field))] };

    /// <summary>Not a projection: several fields selected this way keep whole records. Refused at compile time with what
    /// to write instead.</summary>
    [Obsolete("Select(a, b, …) would keep whole records with only those fields read: write SelectFields(p => p.A, p => p.B) for that, or project the values into one result with Select(p => new { p.A, p.B }).", error: true)]
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public WorkbooksQuery<T, TFields> Select(params IEnumerable<Func<TFields, IWorkbooksField>> fields) => SelectFields(fields);

    /// <summary>Not a projection: fields named by wire name keep whole records. Refused at compile time with what to
    /// write instead.</summary>
    [Obsolete("Select(\"name\", …) would keep whole records with only those fields read: write SelectFields(\"name\", …) for that, or project with Select(p => new { p.Name }).", error: true)]
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public WorkbooksQuery<T, TFields> Select(params IEnumerable<string> columns) => SelectFields(columns);

    /// <summary>Keeps whole records but asks only for these fields: other properties read as null (a record to update
    /// later, say). <c>id</c> and <c>lock_version</c> (what an update needs) and the sort fields (what paging needs)
    /// are always requested too. To get values rather than records, project with
    /// <see cref="Select{TResult}(Func{T, TResult})"/>, which asks for exactly what it reads.</summary>
    public WorkbooksQuery<T, TFields> SelectFields(params IEnumerable<Func<TFields, IWorkbooksField>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return SelectFields(fields.Select(NameOf));
    }

    /// <summary>Keeps whole records but asks only for the fields with these wire names (<c>id</c>, <c>lock_version</c> and
    /// the sort fields are always requested too).</summary>
    public WorkbooksQuery<T, TFields> SelectFields(params IEnumerable<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return new(this) { Columns = [.. columns.Select(Checked)] };
    }

    /// <summary>Skips the first <paramref name="count"/> records.</summary>
    public WorkbooksQuery<T, TFields> Skip(int count) =>
        count < 0 ? throw new ArgumentOutOfRangeException(nameof(count), count, "Cannot skip a negative number of records.") : new(this) { SkipCount = count };

    /// <summary>Returns at most <paramref name="count"/> records.</summary>
    public WorkbooksQuery<T, TFields> Take(int count) =>
        count < 0 ? throw new ArgumentOutOfRangeException(nameof(count), count, "Cannot take a negative number of records.") : new(this) { TakeCount = count };

    /// <summary>
    /// Records per request, fixed (1 to 10,000). Without it a stream asks for 100 records first (the guide's default),
    /// then for as many as make about 1 MB of response at the size its records have had, up to
    /// <see cref="WorkbooksOptions.MaxPageSize"/>: fewer round trips for narrow records, smaller pages for wide ones.
    /// Fix the size for an interactive screen that shows one page at a time.
    /// </summary>
    public WorkbooksQuery<T, TFields> PageSize(int size) =>
        size is < 1 or > 10_000 ? throw new ArgumentOutOfRangeException(nameof(size), size, "A page holds 1 to 10,000 records.") : new(this) { PageSizeValue = size };

    /// <summary>Includes soft-deleted records (the guide's <c>is_deleted = 1 OR is_deleted = 0</c>).</summary>
    public WorkbooksQuery<T, TFields> IncludeDeleted(bool include = true) => new(this) { IncludesDeleted = include };

    /// <summary>
    /// Pages by offset (<c>_start</c>) instead of by keyset. Offset pages may skip or repeat records that are inserted,
    /// deleted or changed meanwhile; keyset paging (the default, for every sort order) does not. Use it only for a
    /// sort on a field that cannot be filtered.
    /// </summary>
    public WorkbooksQuery<T, TFields> WithOffsetPaging() => new(this) { OffsetPaging = true };

    /// <summary>Sends the filter as <c>_ff[]/_ft[]/_fc[]</c> triples (the default), as <c>_filter_json</c>, or as the shorter of the two.</summary>
    public WorkbooksQuery<T, TFields> WithFilterForm(FilterWireForm form) => new(this) { FilterForm = form };

    /// <summary>Every matching record in a list.</summary>
    public async Task<List<T>> ToListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<T>();
        await foreach (var record in WithCancellation(cancellationToken).ConfigureAwait(false))
            list.Add(record);
        return list;
    }

    /// <summary>
    /// Projects each record into what <paramref name="projection"/> makes of it, and asks the service for exactly the
    /// fields the projection reads (plus the id and lock_version paging needs):
    /// <c>Select(p =&gt; new { p.Name, Email = p.MainLocation.Email })</c>, <c>Select(p =&gt; p.Name)</c>,
    /// <c>Select(p =&gt; (p.Name, p.Employer.Name))</c>, <c>Select(p =&gt; new Summary(p.Name, p.CreatedAt))</c>.
    /// </summary>
    /// <remarks>
    /// The fields are found by running the projection once over an empty record that notes what is read (no reflection,
    /// no expression compilation: trim- and AOT-safe). That is exact when the projection only reads fields and builds
    /// its result from them; the generator's analyzer refuses anything else at compile time (WBG0203: a method call,
    /// a conditional, a conversion, a member of a value), so compute on the client after reading instead
    /// (<c>AsAsyncEnumerable()</c>). To keep whole records with only some fields read, use
    /// <see cref="SelectFields(IEnumerable{Func{TFields, IWorkbooksField}})"/>.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The projection throws when every field it reads is null (a method call on a
    /// value, a constructor that refuses null…): without the analyzer, the run-time check of the same rule.</exception>
    public WorkbooksProjection<TResult> Select<TResult>(Func<T, TResult> projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        var reads = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            projection(RecordReader.Wrap(WorkbooksRecord.ForRecording(reads)));
        }
        catch (Exception e) when (e is not (OutOfMemoryException or StackOverflowException or ThreadAbortException))
        {
            throw new InvalidOperationException(
                $"This projection does more than read fields ({e.GetType().Name}: {e.Message}), so the fields it needs cannot be known exactly: "
                + "they are found by running it once with every field null, and it must accept that. "
                + "Select the fields (new { p.Name, p.CreatedAt }), then compute on the client: .AsAsyncEnumerable().Select(...).", e);
        }
        var columns = reads.Count == 0 ? KeyColumns : [.. reads.Order(StringComparer.Ordinal)];
        var query = new WorkbooksQuery<T, TFields>(this) { Columns = columns };
        return new WorkbooksProjection<TResult>(
            cancellationToken => Project(query, projection, cancellationToken),
            query.ToString(),
            columns);

        static async IAsyncEnumerable<TResult> Project(WorkbooksQuery<T, TFields> query, Func<T, TResult> projection, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var record in query.WithCancellation(cancellationToken).ConfigureAwait(false))
                yield return projection(record);
        }
    }

    /// <summary>The first matching record, or null (one request for one record).</summary>
    public async Task<T?> FirstOrDefaultAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var record in Take(1).WithCancellation(cancellationToken).ConfigureAwait(false))
            return record;
        return null;
    }

    /// <summary>The record with this id, or null when there is none (or it is deleted, or this query's filter leaves it out). One request.</summary>
    /// <param name="id">The record's id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<T?> FindAsync(long id, CancellationToken cancellationToken = default) =>
        new WorkbooksQuery<T, TFields>(this) { SkipCount = 0, TakeCount = null, OffsetPaging = false }
            .Where(WorkbooksFilter.Field("id").Equal(id)).FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// The records with these ids, in the order the ids were given (each once), and the ids not found (absent,
    /// deleted, or left out by this query's filter). Ids go 100 to a request.
    /// </summary>
    /// <param name="ids">The ids; duplicates are looked up once.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public async Task<FoundRecords<T>> FindManyAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = ids.Distinct().ToArray();
        var found = new Dictionary<long, T>(wanted.Length);
        foreach (var chunk in wanted.Chunk(FindChunk))
        {
            var query = new WorkbooksQuery<T, TFields>(this) { SkipCount = 0, TakeCount = chunk.Length, OffsetPaging = false, PageSizeValue = FindChunk }
                .Where(WorkbooksFilter.Field("id").In(chunk));
            await foreach (var record in query.WithCancellation(cancellationToken).ConfigureAwait(false))
                found[RecordReader.RecordOf(record).Id] = record;
        }
        return new FoundRecords<T>(
            [.. wanted.Where(found.ContainsKey).Select(id => found[id])],
            [.. wanted.Where(id => !found.ContainsKey(id))]);
    }

    private const int FindChunk = 100;

    /// <summary>How many records match (the service's <c>total</c>; one request).</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        var request = new WorkbooksRequest(WorkbooksRequestKind.Read, ControllerPath)
            .AddRange(new WorkbooksQuery<T, TFields>(this) { Columns = ["id"] }.BuildParameters(1, null, 0, skipTotal: false));
        using var response = await Session.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var page = IndexPageReader.Read(response.Content, RecordReader);
        await foreach (var _ in page.WithCancellation(cancellationToken).ConfigureAwait(false)) { }
        return page.Total ?? throw new WorkbooksProtocolException($"{request} answered without a total.");
    }

    /// <summary>
    /// Pages through every matching record; <c>await foreach</c> calls this. Each page after the first starts after the
    /// last record read, in the query's order (keyset paging): records inserted, deleted or changed meanwhile are
    /// neither skipped nor repeated unless their sort values move them across what was already read.
    /// </summary>
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        PagesAsync(this, cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>
    /// Reads <paramref name="query"/> page by page, each page after the last record read, one page ahead: as soon as a
    /// page has been read to its end (so its last record is known), the next one is requested while the caller is still
    /// taking this one's records. At most two pages are held. A page whose body is cut short or stalls (a transport
    /// failure of an idempotent read) is read again from after its last record read, at most
    /// <see cref="WorkbooksOptions.MaxRetries"/> times in all: nothing is skipped and nothing repeated. When the caller
    /// stops, the page read ahead is cancelled.
    /// </summary>
    private async IAsyncEnumerable<T> PagesAsync(WorkbooksQuery<T, TFields> query, [EnumeratorCancellation] CancellationToken cancellationToken, Action<WorkbooksResponse>? onPage = null)
    {
        var remaining = query.TakeCount ?? int.MaxValue;
        var sorts = query.EffectiveSorts;
        var sizing = query.PageSizeValue is { } size ? PageSizing.Fixed(size) : PageSizing.Adaptive(Session.Options.MaxPageSize);
        WorkbooksRecord? last = null;
        var start = query.SkipCount;
        var resumes = 0;
        var shortPage = 0; // a page shorter than asked that may have been the service's limit, not the end
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<PageRead> Read()
        {
            var limit = Math.Min(sizing.Next, remaining);
            var keyset = !query.OffsetPaging && last is not null;
            var request = new WorkbooksRequest(WorkbooksRequestKind.Read, ControllerPath)
                .AddRange(query.BuildParameters(limit, keyset ? Keyset.After(sorts, last!) : null, keyset ? 0 : start, skipTotal: true));
            return ReadPageAsync(request, limit, onPage, stop.Token);
        }

        var next = remaining > 0 ? Read() : null;
        try
        {
            while (next is not null)
            {
                var page = await next.ConfigureAwait(false);
                next = null;
                if (page.Cut is { } cut && (query.OffsetPaging || ++resumes > Session.Options.MaxRetries))
                    throw cut;
                var count = page.Records.Count;
                if (count > 0)
                    last = RecordReader.RecordOf(page.Records[^1]);
                Session.Metrics.RecordsRead.Add(count, new KeyValuePair<string, object?>("workbooks.controller_path", ControllerPath));
                remaining -= count;
                start += count;
                if (page.Cut is null)
                {
                    if (shortPage > 0 && count > 0)
                    {
                        // The short page before was the service's limit on a page, not the end of the records.
                        sizing.CapAt(shortPage);
                        Session.PageSizes.Filled(ControllerPath, shortPage);
                    }
                    if (count == page.Limit)
                        Session.PageSizes.Filled(ControllerPath, count);
                    shortPage = count < page.Limit && !Session.PageSizes.EndsStream(ControllerPath, page.Limit, count) ? count : 0;
                    sizing.Observe(count, page.Bytes);
                }
                if (remaining > 0 && (page.Cut is not null || count == page.Limit || shortPage > 0))
                    next = Read(); // ahead, while the caller takes this page
                foreach (var record in page.Records)
                    yield return record;
            }
        }
        finally
        {
            if (next is not null)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    (await next.ConfigureAwait(false)).Dispose();
                }
                catch (Exception e) when (e is OperationCanceledException or WorkbooksException)
                {
                    // The page read ahead for a caller who stopped: nothing to report.
                }
            }
        }
    }

    /// <summary>One page read to its end (or to where its body was cut, with the cause).</summary>
    private sealed record PageRead(List<T> Records, int Limit, long Bytes, WorkbooksTransportException? Cut) : IDisposable
    {
        public void Dispose() => Records.Clear();
    }

    private async Task<PageRead> ReadPageAsync(WorkbooksRequest request, int limit, Action<WorkbooksResponse>? onPage, CancellationToken cancellationToken)
    {
        var records = new List<T>(Math.Min(limit, 1024));
        using var response = await Session.SendAsync(request, cancellationToken).ConfigureAwait(false);
        onPage?.Invoke(response);
        var page = IndexPageReader.Read(response.Content, RecordReader);
        try
        {
            await foreach (var record in page.WithCancellation(cancellationToken).ConfigureAwait(false))
                records.Add(record);
        }
        catch (WorkbooksTransportException e) when (!e.OutcomeUnknown)
        {
            return new PageRead(records, limit, page.BytesRead, e);
        }
        return new PageRead(records, limit, page.BytesRead, null);
    }

    /// <summary>
    /// Reads every matching record with up to <paramref name="partitions"/> keyset streams at once, each over a range of
    /// ids, for callers who do not need order (an export, a mirror's first load). The same records as one stream reads
    /// (each range pages by id, so inserts and deletes meanwhile neither skip nor repeat a record; the last range is open
    /// to ids created during the read), in no particular order. Memory stays bounded: a producer waits while the caller
    /// has not taken its records. The service's delaying redirects are followed as for any read.
    /// </summary>
    /// <param name="partitions">How many ranges are read at once (1 to 64).</param>
    /// <param name="cancellationToken">Cancels every stream.</param>
    /// <exception cref="InvalidOperationException">The query skips or takes records: those need an order.</exception>
    public IAsyncEnumerable<T> ReadInParallelAsync(int partitions, CancellationToken cancellationToken = default) =>
        ReadInParallelAsync(partitions, new ParallelReadCursor(), cancellationToken);

    /// <summary>
    /// <see cref="ReadInParallelAsync(int, CancellationToken)"/>, resumable: <paramref name="cursor"/> records the ranges
    /// and, as each record is handed over, how far its range has got. Save <see cref="ParallelReadCursor.Current"/>
    /// with what you did with the records (in the same transaction, for exactly-once), and resume from it: ranges read to
    /// their end are not read again, the others go on after their last id handed over. Records deleted meanwhile in
    /// ranges already read are not reported: pair the read with a delta sync from when it began
    /// (<see cref="ChangesSinceAsync"/>) to see them.
    /// </summary>
    /// <param name="partitions">How many ranges a fresh read splits the ids into (1 to 64); a resumed read keeps its ranges.</param>
    /// <param name="cursor">Where the read has got to; a fresh <see cref="ParallelReadCursor"/> starts from the beginning.</param>
    /// <param name="cancellationToken">Cancels every stream.</param>
    /// <exception cref="InvalidOperationException">The query skips or takes records: those need an order.</exception>
    public async IAsyncEnumerable<T> ReadInParallelAsync(int partitions, ParallelReadCursor cursor, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, 64);
        ArgumentNullException.ThrowIfNull(cursor);
        if (SkipCount > 0 || TakeCount is not null)
            throw new InvalidOperationException("A parallel read has no order, so Skip and Take cannot apply: read the whole query, or read it as one stream.");
        var byId = new WorkbooksQuery<T, TFields>(this) { Sorts = [], OffsetPaging = false };
        if (cursor.Current.Ranges.Count == 0)
            cursor.Begin(await SplitAsync(byId, partitions, cancellationToken).ConfigureAwait(false));
        var ranges = cursor.Current.Ranges;

        var channel = System.Threading.Channels.Channel.CreateBounded<(int Range, T? Record)>(new System.Threading.Channels.BoundedChannelOptions(ranges.Count * (PageSizeValue ?? PageSizing.FirstPage))
        {
            SingleReader = true,
            FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producers = ranges.Select(async (range, index) =>
        {
            if (range.Done)
                return;
            var filter = WorkbooksFilter.Field("id").GreaterThan(range.After);
            if (range.Before is { } before)
                filter &= WorkbooksFilter.Field("id").LessThan(before);
            await foreach (var record in byId.Where(filter).WithCancellation(stop.Token).ConfigureAwait(false))
                await channel.Writer.WriteAsync((index, record), stop.Token).ConfigureAwait(false);
            await channel.Writer.WriteAsync((index, null), stop.Token).ConfigureAwait(false); // read to its end
        }).ToArray();
        var all = Task.WhenAll(producers).ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? t.Exception?.InnerException),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await foreach (var (range, record) in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (record is null)
                {
                    cursor.Complete(range);
                    continue;
                }
                cursor.Advance(range, RecordReader.RecordOf(record).Id);
                yield return record;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }
    }

    /// <summary>Up to <paramref name="partitions"/> ranges of equal width between the first and last ids; the last is open.</summary>
    private async Task<IdRange[]> SplitAsync(WorkbooksQuery<T, TFields> byId, int partitions, CancellationToken cancellationToken)
    {
        // The lowest and highest ids, asked for at once (one round trip's wait, not two).
        var firstTask = new WorkbooksQuery<T, TFields>(byId) { Columns = KeyColumns }.FirstOrDefaultAsync(cancellationToken);
        var lastTask = new WorkbooksQuery<T, TFields>(byId) { Columns = KeyColumns, Sorts = [SortKey.Descending("id")] }.FirstOrDefaultAsync(cancellationToken);
        await Task.WhenAll(firstTask, lastTask).ConfigureAwait(false);
        var first = await firstTask.ConfigureAwait(false);
        var last = await lastTask.ConfigureAwait(false);
        if (first is null)
            return [new IdRange(0, null, false)]; // nothing yet: one open range, for what is created meanwhile
        var low = RecordReader.RecordOf(first).Id;
        var high = last is null ? low : Math.Max(low, RecordReader.RecordOf(last).Id);
        var count = (int)Math.Min(partitions, high - low + 1);
        var width = (high - low + count) / count;
        return Enumerable.Range(0, count)
            .Select(i => new IdRange(low - 1 + i * width, i == count - 1 ? null : low + (i + 1) * width, false))
            .ToArray();
    }

    /// <summary>Cancellation (and <c>ConfigureAwait</c>) for <c>await foreach</c>.</summary>
    public ConfiguredCancelableAsyncEnumerable<T> WithCancellation(CancellationToken cancellationToken) =>
        AsAsyncEnumerable().WithCancellation(cancellationToken);

    /// <summary>
    /// The query as an <see cref="IAsyncEnumerable{T}"/>: the explicit step into LINQ-to-objects
    /// (<c>System.Linq.AsyncEnumerable</c>). Operators applied after it run on the client, over every record the
    /// query returns: filter on the service with <c>Where</c> first.
    /// </summary>
    public IAsyncEnumerable<T> AsAsyncEnumerable() => new AsyncView(this);

    /// <summary>
    /// The guide's "Deltas" technique, exactly once per record version: every record added, changed or deleted since
    /// <paramref name="cursor"/> (this query's filter applies), ordered by updated_at then id. A record changed again
    /// after it was read comes again, with its new version, even within the same second; a version already read is
    /// not read twice; a deletion is a version too. The cursor moves as records are read: save
    /// <see cref="DeltaCursor.Current"/> after processing them, and resume from it later.
    /// </summary>
    /// <remarks>
    /// The service stamps updated_at to the second, and other users' changes made while a sync reads are stamped with
    /// the time they are made, possibly behind the position the sync has reached. So the cursor's horizon is the
    /// earlier of the last updated_at read and the service's clock (its <c>Date</c> header, less
    /// <see cref="DeltaPosition.SafetyMargin"/>) when the sync began: every version stamped before the horizon has been
    /// read, and the cursor lists the versions (id and lock_version) it has read at or after it, a few seconds' worth.
    /// The next sync reads from the horizon and skips only those versions.
    /// </remarks>
    /// <exception cref="WorkbooksProtocolException">A record came without an updated_at (delta sync would stand still).</exception>
    public async IAsyncEnumerable<T> ChangesSinceAsync(DeltaCursor cursor, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var query = new WorkbooksQuery<T, TFields>(this)
        {
            Sorts = [SortKey.Ascending("updated_at"), SortKey.Ascending("id")],
            IncludesDeleted = true,
            SkipCount = 0,
            TakeCount = null,
            OffsetPaging = false,
            Columns = Columns.Count == 0 ? Columns : [.. Columns, "updated_at"],
        };
        var start = cursor.Current;
        if (start.UpdatedAt is { } since)
            query = query.Where(WorkbooksFilter.Field("updated_at").GreaterThanOrEqual(since));
        var seen = start.Seen.ToDictionary(v => v.Id, v => v.LockVersion);
        DateTimeOffset? began = null;
        await foreach (var record in PagesAsync(query, cancellationToken, response => began ??= ServiceClock(response)).ConfigureAwait(false))
        {
            var raw = RecordReader.RecordOf(record);
            var at = raw.GetDateTime("updated_at")
                ?? throw new WorkbooksProtocolException($"{ControllerPath} record {raw.Id} came without an updated_at: a delta sync cannot place it.");
            var known = seen.TryGetValue(raw.Id, out var version) && version == raw.LockVersion;
            cursor.Advance(at, raw.Id, raw.LockVersion, began);
            if (!known)
                yield return record;
        }
    }

    /// <summary>
    /// The position from which a delta sync sees every change made from now on: the service's clock (its <c>Date</c>
    /// header) less <see cref="DeltaPosition.SafetyMargin"/>, read with one request for one record's key. Take it
    /// before reading a whole copy (a first load, an export), then read <see cref="ChangesSinceAsync"/> from it: what
    /// changed while the copy was read comes again, nothing is missed. <see cref="DeltaPosition.Start"/> when the
    /// service sends no clock.
    /// </summary>
    public async Task<DeltaPosition> DeltaPositionNowAsync(CancellationToken cancellationToken = default)
    {
        DateTimeOffset? clock = null;
        var probe = new WorkbooksQuery<T, TFields>(this) { Columns = KeyColumns, SkipCount = 0, TakeCount = 1 };
        await foreach (var _ in PagesAsync(probe, cancellationToken, response => clock ??= ServiceClock(response)).ConfigureAwait(false))
            break;
        return clock is { } at ? DeltaPosition.Since(at) : DeltaPosition.Start;
    }

    /// <summary>The service's clock when it answered, less the safety margin (see <see cref="DeltaPosition.SafetyMargin"/>).</summary>
    private static DateTimeOffset? ServiceClock(WorkbooksResponse response) => response.ServerDate - DeltaPosition.SafetyMargin;

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
            var page = await new WorkbooksQuery<T, TFields>(this) { SkipCount = 0, TakeCount = PageSizeValue ?? PageSizing.FirstPage }.ToListAsync(cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
                return total;
            var ids = page.Select(r => RecordReader.RecordOf(r).Id).ToArray();
            if (previous is not null && ids.SequenceEqual(previous))
                throw new InvalidOperationException($"The queue of {ControllerPath} returned the same {ids.Length} records twice: the processing step must change them so that the filter no longer selects them.");
            await process(page, cancellationToken).ConfigureAwait(false);
            total += page.Count;
            previous = ids;
        }
    }

    /// <summary>The parameters of the first request, as they go on the wire (no credentials).</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> ToParameters() =>
        BuildParameters(Math.Min(PageSizeValue ?? PageSizing.FirstPage, TakeCount ?? int.MaxValue), null, SkipCount, skipTotal: true);

    /// <summary>The first request, form-encoded: exactly what the service receives (apart from credentials and the cache-buster).</summary>
    public override string ToString() => $"{ControllerPath}.api?{FormEncoder.EncodeToString(ToParameters())}";

    private List<KeyValuePair<string, string>> BuildParameters(int limit, WorkbooksFilter? after, int start, bool skipTotal)
    {
        var filter = Filter;
        if (IncludesDeleted)
        {
            var deleted = WorkbooksFilter.Field("is_deleted").Equal(true) | WorkbooksFilter.Field("is_deleted").Equal(false);
            filter = filter is null ? deleted : deleted & filter;
        }
        if (after is not null)
            filter = filter is null ? after : filter & after;
        var sorts = EffectiveSorts;
        return QueryParameters.Build(new IndexQuery
        {
            Filter = filter,
            FilterForm = FilterForm,
            SelectColumns = Columns.Count == 0 ? Columns : [.. KeyColumns.Concat(Columns).Concat(sorts.Select(k => k.Field)).Distinct(StringComparer.Ordinal)],
            Sort = sorts,
            Start = start,
            Limit = limit,
            SkipTotalRows = skipTotal,
        });
    }

    /// <summary>What a projection always carries: the id paging and changes use, the lock_version an update needs.</summary>
    private static readonly string[] KeyColumns = ["id", "lock_version"];

    private string NameOf(Func<TFields, IWorkbooksField> field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field(Fields)?.Name ?? throw new ArgumentException("The selector returned no field.", nameof(field));
    }

    private static string Checked(string field)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        return field;
    }

    /// <summary>The explicit <see cref="IAsyncEnumerable{T}"/> view of a query (see <see cref="AsAsyncEnumerable"/>).</summary>
    private sealed class AsyncView(WorkbooksQuery<T, TFields> query) : IAsyncEnumerable<T>
    {
        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) => query.GetAsyncEnumerator(cancellationToken);
    }
}
