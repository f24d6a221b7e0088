using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Workbooks.Filters;
using Workbooks.Mirror.Schema;
using Workbooks.Mirror.Sql;
using Workbooks.Query;
using Workbooks.Records;

namespace Workbooks.Mirror;

/// <summary>
/// Keeps a SQL copy of a Workbooks database exactly up to date: one table per record type with a typed column per field
/// (from the live metadata), a first load by parallel keyset partitions, then only what changed, deletions included.
/// The sync position is stored in the target database in the same transaction as the rows it covers, so a mirror
/// stopped at any instant (even killed) resumes with nothing lost and nothing applied twice.
/// </summary>
/// <remarks>
/// <para>Each pass (<see cref="SyncAsync"/>) reads the metadata, makes every table follow it (new fields become new
/// columns and the table is read again; removed fields' columns are kept and no longer written; a datatype that maps to
/// another column type keeps its old column as <c>{column}__{old datatype}</c>), then per table: a load when one is due,
/// then the changes since the stored position (the runtime's exactly-once delta sync,
/// <see cref="WorkbooksQuery{T, TFields}.ChangesSinceAsync"/>).</para>
/// <para>One mirror writes to a target at a time: a pass takes the target's lock (a lock file next to a SQLite file, an
/// advisory lock in PostgreSQL) and a second mirror's pass fails with <see cref="WorkbooksMirrorException"/> until it
/// is free. Readers are not blocked by the lock (a schema change's <c>ALTER TABLE</c> in PostgreSQL briefly is).</para>
/// </remarks>
public sealed partial class WorkbooksMirror
{
    private readonly WorkbooksSession _session;
    private readonly MirrorTarget _target;
    private readonly MirrorOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a mirror of the database <paramref name="session"/> is connected to.</summary>
    /// <param name="session">A connected session (the mirror does not dispose it).</param>
    /// <param name="target">Where the copy is kept.</param>
    /// <param name="options">Which types, how deletions are kept, parallelism; defaults when null.</param>
    /// <param name="logger">Receives the mirror's events (tables created and changed, loads, changes applied).</param>
    public WorkbooksMirror(WorkbooksSession session, MirrorTarget target, MirrorOptions? options = null, ILogger<WorkbooksMirror>? logger = null)
    {
        _session = session ?? throw new ArgumentNullException(nameof(session));
        _target = target ?? throw new ArgumentNullException(nameof(target));
        _options = options ?? new MirrorOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Where the copy is kept.</summary>
    public MirrorTarget Target => _target;

    /// <summary>
    /// One pass: every chosen table follows the metadata, is loaded when it has never been (or when its schema grew), and
    /// receives what changed since the last pass. Safe to stop at any instant: the next pass resumes.
    /// </summary>
    /// <exception cref="WorkbooksMirrorException">The target database failed, or a table cannot follow the service.</exception>
    /// <exception cref="WorkbooksException">The service failed (after the session's retries).</exception>
    public async Task<MirrorSummary> SyncAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<MirrorTable> tables;
        using (var metadata = await _session.GetMetadataAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                tables = Choose(metadata.RootElement);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
            {
                throw new WorkbooksProtocolException($"The service's metadata (metadata/types.api) is not in the documented shape: {e.Message}");
            }
        }

        var summaries = new List<MirrorTableSummary>(tables.Count);
        SqlDialect dialect;
        try
        {
            dialect = _target.Open();
        }
        catch (ArgumentException e)
        {
            throw new WorkbooksMirrorException($"The mirror's database ({_target.Description}) cannot be opened: {e.Message}", e);
        }
        await using var dialectScope = dialect.ConfigureAwait(false);
        try
        {
            var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            using var exclusive = await dialect.LockAsync(connection, cancellationToken).ConfigureAwait(false);
            var store = new MirrorStore(dialect, connection);
            await store.EnsureStateTablesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var table in tables)
                summaries.Add(await SyncTableAsync(store, table, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw new WorkbooksMirrorException($"The mirror's database ({_target.Description}) failed: {e.Message.TrimEnd('.')}. What was committed stays; the next run resumes from there.", e);
        }
        var summary = new MirrorSummary(summaries, clock.Elapsed);
        LogPass(_logger, summaries.Count, clock.Elapsed.TotalSeconds);
        return summary;
    }

    /// <summary>Runs <see cref="SyncAsync"/> again and again, <paramref name="interval"/> apart, until cancelled (which
    /// ends it with <see cref="OperationCanceledException"/>). A failed pass ends it too: the session's retries have
    /// already been spent on transient faults.</summary>
    /// <param name="interval">The pause between the end of one pass and the start of the next.</param>
    /// <param name="onPass">Called with each pass's summary.</param>
    /// <param name="cancellationToken">Stops watching.</param>
    public async Task WatchAsync(TimeSpan interval, Action<MirrorSummary>? onPass = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        while (true)
        {
            var summary = await SyncAsync(cancellationToken).ConfigureAwait(false);
            onPass?.Invoke(summary);
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private IReadOnlyList<MirrorTable> Choose(JsonElement root)
    {
        var types = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) ? data : root;
        if (types.ValueKind != JsonValueKind.Array)
            throw new WorkbooksProtocolException("The service's metadata (metadata/types.api) has no list of record types.");
        var all = types.EnumerateArray()
            .Where(t => t.TryGetProperty("controller_path", out var p) && p.ValueKind == JsonValueKind.String)
            .ToList();
        if (_options.Types.Count == 0)
            return all.Where(Readable).Select(t => MirrorTable.FromMetadata(t, _options.IncludeRelatedAttributes)).ToArray();

        var chosen = new List<MirrorTable>();
        foreach (var name in _options.Types)
        {
            var match = all.FirstOrDefault(t => Names(t).Contains(name.Trim().Trim('/'), StringComparer.OrdinalIgnoreCase));
            if (match.ValueKind == JsonValueKind.Undefined)
                throw new WorkbooksMirrorException($"The service has no record type '{name}'. Name one by controller path (crm/people), its last part (people), table name (crm_people) or class name. Known: {string.Join(", ", all.Select(t => t.GetProperty("controller_path").GetString()).Order(StringComparer.Ordinal))}.");
            var table = MirrorTable.FromMetadata(match, _options.IncludeRelatedAttributes);
            if (!chosen.Exists(t => t.Name == table.Name))
                chosen.Add(table);
        }
        return chosen;

        static IEnumerable<string> Names(JsonElement type)
        {
            var path = type.GetProperty("controller_path").GetString()!.Trim('/');
            yield return path;
            yield return path[(path.LastIndexOf('/') + 1)..];
            yield return Datatypes.TableNameOf(path);
            if (type.TryGetProperty("class_name", out var c) && c.ValueKind == JsonValueKind.String)
                yield return c.GetString()!;
        }

        static bool Readable(JsonElement type) =>
            !type.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array
            || actions.EnumerateArray().Any(a => a.TryGetProperty("name", out var n) && n.ValueEquals("index")
                && (!a.TryGetProperty("permitted", out var p) || p.ValueKind != JsonValueKind.False));
    }

    private async Task<MirrorTableSummary> SyncTableAsync(MirrorStore store, MirrorTable desired, CancellationToken cancellationToken)
    {
        var (table, changes, state) = await store.ReconcileAsync(desired, _options.Deletions, cancellationToken).ConfigureAwait(false);
        foreach (var change in changes)
        {
            if (change.Contains("changed datatype", StringComparison.Ordinal))
                LogDatatypeChanged(_logger, table.Name, change);
            else
                LogSchemaChanged(_logger, table.Name, change);
        }

        long loaded = 0;
        var position = state.Position;
        if (state.Loading)
        {
            var query = Query(table);
            if (_options.Deletions == MirrorDeletions.Flag)
                query = query.IncludeDeleted();
            // The count (for progress) and the service's clock are asked for at once; both are awaited, so neither
            // fails unobserved.
            var count = query.CountAsync(cancellationToken);
            var begins = position is null ? query.DeltaPositionNowAsync(cancellationToken) : Task.FromResult(DeltaPosition.Start);
            await Task.WhenAll(count, begins).ConfigureAwait(false);
            if (position is null)
            {
                // A first load: changes made from the moment it begins are read again by the delta sync that follows.
                position = DeltaPositions.Write(await begins.ConfigureAwait(false));
                var begin = store.BeginTransaction();
                await using var beginScope = begin.ConfigureAwait(false);
                await store.SaveStateAsync(begin, table.Name, new TableState(true, position), cancellationToken).ConfigureAwait(false);
                await begin.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            // A reload (the schema grew) keeps the position it had: deletions since then are still to come.
            loaded = await LoadAsync(store, table, query, await count.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            var done = store.BeginTransaction();
            await using var doneScope = done.ConfigureAwait(false);
            await store.SaveStateAsync(done, table.Name, new TableState(false, position), cancellationToken).ConfigureAwait(false);
            await done.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        var (upserted, deleted) = await ApplyChangesAsync(store, table, position, cancellationToken).ConfigureAwait(false);
        var rows = await store.CountRowsAsync(table.Name, cancellationToken).ConfigureAwait(false);
        return new MirrorTableSummary(table.Name, table.ControllerPath, loaded, upserted, deleted, rows, changes);
    }

    private WorkbooksQuery<WorkbooksRecord, RecordFields> Query(MirrorTable table) =>
        _session.Records(table.ControllerPath).SelectFields(table.Fields);

    /// <summary>
    /// Reads every record by id ranges, <see cref="MirrorOptions.Partitions"/> at once (the runtime's resumable
    /// <c>ReadInParallelAsync</c>: keyset paging by id, so inserts and deletes meanwhile neither skip nor repeat a
    /// record). How far each range has got is saved with every batch, in the same transaction, so a load stopped at any
    /// instant resumes where it was instead of starting again.
    /// </summary>
    private async Task<long> LoadAsync(MirrorStore store, MirrorTable table, WorkbooksQuery<WorkbooksRecord, RecordFields> query, long expected,
        CancellationToken cancellationToken)
    {
        var saved = LoadRanges.Read(await store.ReadLoadProgressAsync(table.Name, cancellationToken).ConfigureAwait(false));
        var cursor = new ParallelReadCursor(saved);
        LogLoadStarted(_logger, table.Name, expected, saved.Ranges.Count == 0 ? _options.Partitions : saved.Ranges.Count(r => !r.Done));
        var clock = Stopwatch.StartNew();
        long written = 0;
        var batch = new List<WorkbooksRecord>(_options.BatchSize);
        await foreach (var record in query.ReadInParallelAsync(_options.Partitions, cursor, cancellationToken).ConfigureAwait(false))
        {
            batch.Add(record);
            if (batch.Count >= _options.BatchSize)
                await CommitAsync().ConfigureAwait(false);
        }
        // Ranges read to their end since the last batch still move the cursor on: save it with the last rows.
        await CommitAsync().ConfigureAwait(false);
        LogLoadCompleted(_logger, table.Name, written, clock.Elapsed.TotalSeconds);
        return written;

        async Task CommitAsync()
        {
            // The cursor has moved exactly past the records in the batch (it moves as each is handed over), so the rows
            // and how far each range has got commit together: a load killed here resumes after them.
            var progress = LoadRanges.Write(cursor.Current);
            var transaction = store.BeginTransaction();
            await using var transactionScope = transaction.ConfigureAwait(false);
            await store.WriteAsync(transaction, table, batch, _options.Deletions, sameVersion: true, cancellationToken).ConfigureAwait(false);
            await store.SaveLoadProgressAsync(transaction, table.Name, progress, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            written += batch.Count;
            batch.Clear();
            _options.Progress?.Report(new MirrorProgress(table.Name, table.ControllerPath, MirrorPhase.Loading, written, expected, clock.Elapsed));
        }
    }

    private async Task<(long Upserted, long Deleted)> ApplyChangesAsync(MirrorStore store, MirrorTable table, string? position, CancellationToken cancellationToken)
    {
        var cursor = new DeltaCursor(DeltaPositions.Read(position));
        var saved = position;
        var clock = Stopwatch.StartNew();
        long upserted = 0, deleted = 0;
        var batch = new List<WorkbooksRecord>(_options.BatchSize);
        await foreach (var record in Query(table).ChangesSinceAsync(cursor, cancellationToken).ConfigureAwait(false))
        {
            batch.Add(record);
            if (batch.Count >= _options.BatchSize)
                await CommitAsync().ConfigureAwait(false);
        }
        // Versions skipped as already applied still move the cursor on: save it even with no rows to write.
        if (batch.Count > 0 || DeltaPositions.Write(cursor.Current) != saved)
            await CommitAsync().ConfigureAwait(false);
        if (upserted + deleted > 0)
            LogChangesApplied(_logger, table.Name, upserted, deleted);
        return (upserted, deleted);

        async Task CommitAsync()
        {
            // The cursor has moved exactly past the records in the batch (it moves as each is handed over), so the rows
            // and the position that covers them commit together.
            var next = DeltaPositions.Write(cursor.Current);
            var transaction = store.BeginTransaction();
            await using var transactionScope = transaction.ConfigureAwait(false);
            var (u, d) = await store.WriteAsync(transaction, table, batch, _options.Deletions, sameVersion: false, cancellationToken).ConfigureAwait(false);
            await store.SaveStateAsync(transaction, table.Name, new TableState(false, next), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            saved = next;
            upserted += u;
            deleted += d;
            batch.Clear();
            _options.Progress?.Report(new MirrorProgress(table.Name, table.ControllerPath, MirrorPhase.Syncing, upserted + deleted, null, clock.Elapsed));
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Mirror table {Table}: {Change}")]
    private static partial void LogSchemaChanged(ILogger logger, string table, string change);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Mirror table {Table}: {Change}")]
    private static partial void LogDatatypeChanged(ILogger logger, string table, string change);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Loading {Table}: {Expected} records, {Partitions} id ranges to read")]
    private static partial void LogLoadStarted(ILogger logger, string table, long expected, int partitions);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Loaded {Table}: {Records} records in {Seconds:0.0} s")]
    private static partial void LogLoadCompleted(ILogger logger, string table, long records, double seconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Synced {Table}: {Upserted} upserted, {Deleted} deleted")]
    private static partial void LogChangesApplied(ILogger logger, string table, long upserted, long deleted);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Mirror pass: {Tables} tables in {Seconds:0.0} s")]
    private static partial void LogPass(ILogger logger, int tables, double seconds);
}
