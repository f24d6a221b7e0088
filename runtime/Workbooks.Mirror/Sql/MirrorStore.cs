using System.Data.Common;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Workbooks.Mirror.Schema;
using Workbooks.Records;

namespace Workbooks.Mirror.Sql;

/// <summary>Where a table's sync has got to, as stored in <c>workbooks_mirror_state</c>.</summary>
/// <param name="Loading">Whether a (re)load is under way: every record is read again before changes are.</param>
/// <param name="Position">The delta position (JSON) the next incremental run starts from; null before the first load began.</param>
internal sealed record TableState(bool Loading, string? Position);

/// <summary>
/// The mirror's SQL: the two state tables, creating and evolving the mirrored tables, writing batches. The sync position
/// is written in the same transaction as the rows it covers.
/// </summary>
internal sealed class MirrorStore(SqlDialect dialect, DbConnection connection)
{
    public const string StateTable = "workbooks_mirror_state";
    public const string ColumnsTable = "workbooks_mirror_columns";
    private const string Active = "active";
    private const string Retired = "retired";
    private const string Replaced = "replaced";

    public SqlDialect Dialect => dialect;

    public async Task EnsureStateTablesAsync(CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        await ExecuteAsync(transaction, $"""
            CREATE TABLE IF NOT EXISTS {StateTable} (
              table_name TEXT PRIMARY KEY, controller_path TEXT NOT NULL, class_name TEXT NOT NULL,
              deletions TEXT NOT NULL, phase TEXT NOT NULL, position TEXT NULL, load_progress TEXT NULL, synced_at TEXT NULL)
            """, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(transaction, $"""
            CREATE TABLE IF NOT EXISTS {ColumnsTable} (
              table_name TEXT NOT NULL, column_name TEXT NOT NULL, field_name TEXT NOT NULL, datatype TEXT NOT NULL,
              role TEXT NOT NULL, sql_type TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (table_name, column_name))
            """, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the table, or makes it follow the metadata: a new field becomes a new column (and the table is read again,
    /// so that existing rows get its values); a removed field's column is kept and no longer written; a field whose
    /// datatype maps to another column type keeps its old column renamed <c>{column}__{old datatype}</c> (no longer
    /// written) and gets a new column under its name (and the table is read again).
    /// </summary>
    /// <returns>The table as written from now on (the stored column names), the changes made, and the state.</returns>
    public async Task<(MirrorTable Table, IReadOnlyList<string> Changes, TableState State)> ReconcileAsync(
        MirrorTable desired, MirrorDeletions deletions, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var changes = new List<string>();
        var state = await ReadStateAsync(transaction, desired.Name, cancellationToken).ConfigureAwait(false);
        var stored = await ReadColumnsAsync(transaction, desired.Name, cancellationToken).ConfigureAwait(false);
        var mode = deletions.ToString().ToLowerInvariant();
        MirrorTable table;
        if (state is null)
        {
            var columns = string.Join(", ", desired.Columns.Select(c => $"{SqlDialect.Quote(c.Name)} {dialect.SqlType(c.Kind)}{(c.Name == "id" ? " PRIMARY KEY" : "")}"));
            await ExecuteAsync(transaction, $"CREATE TABLE {SqlDialect.Quote(desired.Name)} ({columns})", cancellationToken).ConfigureAwait(false);
            foreach (var column in desired.Columns)
                await SaveColumnAsync(transaction, desired.Name, column, Active, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(transaction, $"INSERT INTO {StateTable} (table_name, controller_path, class_name, deletions, phase, position) VALUES (@t, @c, @k, @d, 'load', NULL)",
                cancellationToken, ("@t", desired.Name), ("@c", desired.ControllerPath), ("@k", desired.ClassName), ("@d", mode)).ConfigureAwait(false);
            state = new TableState(true, null);
            table = desired;
            changes.Add($"created table {desired.Name} ({desired.Columns.Count} columns)");
        }
        else
        {
            var storedPath = await ScalarAsync(transaction, $"SELECT controller_path FROM {StateTable} WHERE table_name = @t", cancellationToken, ("@t", desired.Name)).ConfigureAwait(false);
            if (!string.Equals(storedPath as string, desired.ControllerPath, StringComparison.Ordinal))
                throw new WorkbooksMirrorException($"Table {desired.Name} mirrors {storedPath}, not {desired.ControllerPath}: both record types map to one table name. Mirror one of them into another database.");
            var storedMode = await ScalarAsync(transaction, $"SELECT deletions FROM {StateTable} WHERE table_name = @t", cancellationToken, ("@t", desired.Name)).ConfigureAwait(false);
            if (!string.Equals(storedMode as string, mode, StringComparison.Ordinal))
                throw new WorkbooksMirrorException($"Table {desired.Name} was mirrored with deletions '{storedMode}', not '{mode}': the two keep different rows, so one table cannot switch. Mirror into a new database, or drop the table (and its rows in {StateTable} and {ColumnsTable}) to load it again.");
            var (final, reload) = await EvolveAsync(transaction, desired, stored, changes, cancellationToken).ConfigureAwait(false);
            table = final;
            if (reload)
            {
                // Rows already read lack the new columns: the load starts again from the first id, even mid-load.
                await ExecuteAsync(transaction, $"UPDATE {StateTable} SET phase = 'load', load_progress = NULL WHERE table_name = @t", cancellationToken, ("@t", desired.Name)).ConfigureAwait(false);
                state = state with { Loading = true };
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (table, changes, state);
    }

    private async Task<(MirrorTable Table, bool Reload)> EvolveAsync(DbTransaction transaction, MirrorTable desired,
        List<StoredColumn> stored, List<string> changes, CancellationToken cancellationToken)
    {
        var reload = false;
        var names = stored.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var final = new List<MirrorColumn>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in desired.Columns)
        {
            var kindSuffix = column.Kind == ColumnKind.CurrencyCode ? "_currency" : "";
            var match = stored.FirstOrDefault(s => s.Field == column.Field && s.Role == RoleOf(column) && s.Status != Replaced);
            if (match is not null && match.SqlType == dialect.SqlType(column.Kind))
            {
                var kept = column with { Name = match.Name };
                if (match.Status != Active || match.Datatype != column.Datatype)
                {
                    if (match.Status != Active)
                    {
                        changes.Add($"{desired.Name}.{match.Name}: the field '{column.Field}' is back; the column is written again");
                        reload = true;
                    }
                    else
                    {
                        changes.Add($"{desired.Name}.{match.Name}: the field '{column.Field}' changed datatype from {match.Datatype} to {column.Datatype} (same column type {match.SqlType})");
                    }
                    await SaveColumnAsync(transaction, desired.Name, kept, Active, cancellationToken).ConfigureAwait(false);
                }
                final.Add(kept);
                used.Add(kept.Name);
                continue;
            }
            var name = column.Name;
            if (match is not null)
            {
                // The datatype changed to another column type: the old column keeps its values under a new name.
                var retiredName = Datatypes.Limit(Datatypes.ColumnNameOf($"{match.Name}__{match.Datatype}"));
                for (var n = 2; names.Contains(retiredName); n++)
                    retiredName = Datatypes.ColumnNameOf(string.Create(CultureInfo.InvariantCulture, $"{match.Name}__{match.Datatype}_{n}"));
                await ExecuteAsync(transaction, $"ALTER TABLE {SqlDialect.Quote(desired.Name)} RENAME COLUMN {SqlDialect.Quote(match.Name)} TO {SqlDialect.Quote(retiredName)}", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(transaction, $"UPDATE {ColumnsTable} SET column_name = @n, status = '{Replaced}' WHERE table_name = @t AND column_name = @o",
                    cancellationToken, ("@n", retiredName), ("@t", desired.Name), ("@o", match.Name)).ConfigureAwait(false);
                names.Remove(match.Name);
                names.Add(retiredName);
                name = match.Name;
                changes.Add($"{desired.Name}.{match.Name}: the field '{column.Field}' changed datatype from {match.Datatype} ({match.SqlType}) to {column.Datatype} ({dialect.SqlType(column.Kind)}); the old values stay in column {retiredName}, no longer written, and the table is read again");
            }
            else
            {
                var baseName = Datatypes.Limit(Datatypes.ColumnNameOf(column.Field) + kindSuffix);
                name = baseName;
                for (var n = 2; names.Contains(name) || used.Contains(name); n++)
                    name = Datatypes.Limit(string.Create(CultureInfo.InvariantCulture, $"{baseName}_{n}"));
                changes.Add($"{desired.Name}.{name}: new field '{column.Field}' ({column.Datatype}); the table is read again");
            }
            var added = column with { Name = name };
            await ExecuteAsync(transaction, $"ALTER TABLE {SqlDialect.Quote(desired.Name)} ADD COLUMN {SqlDialect.Quote(name)} {dialect.SqlType(added.Kind)}", cancellationToken).ConfigureAwait(false);
            await SaveColumnAsync(transaction, desired.Name, added, Active, cancellationToken).ConfigureAwait(false);
            names.Add(name);
            used.Add(name);
            final.Add(added);
            reload = true;
        }
        foreach (var gone in stored.Where(s => s.Status == Active && !used.Contains(s.Name) && names.Contains(s.Name) && !final.Exists(f => f.Field == s.Field && RoleOf(f) == s.Role)))
        {
            await ExecuteAsync(transaction, $"UPDATE {ColumnsTable} SET status = '{Retired}' WHERE table_name = @t AND column_name = @o",
                cancellationToken, ("@t", desired.Name), ("@o", gone.Name)).ConfigureAwait(false);
            changes.Add($"{desired.Name}.{gone.Name}: the field '{gone.Field}' is gone; the column is kept and no longer written");
        }
        return (desired.WithColumns(final), reload);
    }

    /// <summary>A field's value column, or (for currency) its code column.</summary>
    private static string RoleOf(MirrorColumn column) => column.Kind == ColumnKind.CurrencyCode ? "currency_code" : "value";

    public async Task<TableState?> ReadStateAsync(DbTransaction? transaction, string table, CancellationToken cancellationToken)
    {
        var command = Command(transaction, $"SELECT phase, position FROM {StateTable} WHERE table_name = @t", ("@t", table));
        await using var commandScope = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        return new TableState(reader.GetString(0) == "load", reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>Saves where the table's sync has got to, inside the transaction that wrote the rows it covers.</summary>
    public Task SaveStateAsync(DbTransaction transaction, string table, TableState state, CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, $"UPDATE {StateTable} SET phase = @p, position = @q, load_progress = NULL, synced_at = @s WHERE table_name = @t", cancellationToken,
            ("@p", state.Loading ? "load" : "delta"), ("@q", state.Position), ("@s", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)), ("@t", table));

    public DbTransaction BeginTransaction() => connection.BeginTransaction();

    /// <summary>How far a load under way has got (see <see cref="LoadRanges"/>); null when none has begun.</summary>
    public async Task<string?> ReadLoadProgressAsync(string table, CancellationToken cancellationToken) =>
        await ScalarAsync(null, $"SELECT load_progress FROM {StateTable} WHERE table_name = @t", cancellationToken, ("@t", table)).ConfigureAwait(false) as string;

    /// <summary>Saves how far a load has got, inside the transaction that wrote the rows it covers.</summary>
    public Task SaveLoadProgressAsync(DbTransaction transaction, string table, string progress, CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, $"UPDATE {StateTable} SET load_progress = @p WHERE table_name = @t", cancellationToken, ("@p", progress), ("@t", table));

    /// <summary>
    /// Writes a batch: upserts (never to an older version; the same version only when <paramref name="sameVersion"/>)
    /// and, when deletions are removed, deletes.
    /// </summary>
    /// <returns>Rows actually changed: upserted, and deleted (or flagged deleted).</returns>
    public async Task<(int Upserted, int Deleted)> WriteAsync(DbTransaction transaction, MirrorTable table, IReadOnlyList<WorkbooksRecord> records,
        MirrorDeletions deletions, bool sameVersion, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
            return (0, 0);
        var upsertSql = dialect.UpsertSql(table.Name, table.Columns, sameVersion);
        var deleteSql = $"DELETE FROM {SqlDialect.Quote(table.Name)} WHERE \"id\" = @p0";
        var deleted = records.Select(r => r.GetBoolean("is_deleted") == true).ToArray();
        int upserts = 0, deletes = 0;
        if (connection is NpgsqlConnection postgres && records.Count >= CopyThreshold)
            return await CopyAndUpsertAsync(postgres, transaction, table, records, deleted, deletions, sameVersion, cancellationToken).ConfigureAwait(false);
        if (dialect.UsesBatches && connection.CanCreateBatch)
        {
            var batch = connection.CreateBatch();
            await using var batchScope = batch.ConfigureAwait(false);
            batch.Transaction = transaction;
            for (var r = 0; r < records.Count; r++)
            {
                var command = batch.CreateBatchCommand();
                if (deletions == MirrorDeletions.Remove && deleted[r])
                {
                    command.CommandText = deleteSql;
                    command.Parameters.Add(Parameter(command.CreateParameter(), "@p0", records[r].Id));
                }
                else
                {
                    command.CommandText = upsertSql;
                    for (var i = 0; i < table.Columns.Count; i++)
                        command.Parameters.Add(Parameter(command.CreateParameter(), "@p" + i.ToString(CultureInfo.InvariantCulture), Value(table.Columns[i], records[r])));
                }
                batch.BatchCommands.Add(command);
            }
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            for (var r = 0; r < records.Count; r++)
            {
                if (batch.BatchCommands[r].RecordsAffected > 0)
                {
                    if (deleted[r]) deletes++;
                    else upserts++;
                }
            }
            return (upserts, deletes);
        }

        var upsert = Command(transaction, upsertSql);
        await using var upsertScope = upsert.ConfigureAwait(false);
        for (var i = 0; i < table.Columns.Count; i++)
            upsert.Parameters.Add(Parameter(upsert.CreateParameter(), "@p" + i.ToString(CultureInfo.InvariantCulture), null));
        var delete = Command(transaction, deleteSql, ("@p0", 0L));
        await using var deleteScope = delete.ConfigureAwait(false);
        for (var r = 0; r < records.Count; r++)
        {
            int affected;
            if (deletions == MirrorDeletions.Remove && deleted[r])
            {
                delete.Parameters[0].Value = records[r].Id;
                affected = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                for (var i = 0; i < table.Columns.Count; i++)
                    upsert.Parameters[i].Value = Value(table.Columns[i], records[r]) ?? DBNull.Value;
                affected = await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            if (affected > 0)
            {
                if (deleted[r]) deletes++;
                else upserts++;
            }
        }
        return (upserts, deletes);
    }

    /// <summary>From how many records a PostgreSQL batch goes through <c>COPY</c> rather than one upsert per row.</summary>
    internal const int CopyThreshold = 32;

    /// <summary>The staging table's column that keeps each row's place in the batch.</summary>
    private const string OrdinalColumn = "wb_batch_ordinal";

    /// <summary>
    /// PostgreSQL's fast path: the batch goes by binary <c>COPY</c> into a temporary table shaped like the mirrored
    /// one (dropped at commit), then one <c>INSERT … SELECT … ON CONFLICT</c> applies it with the same version rule as
    /// the row-by-row upsert. A record that comes twice in a batch (a delta read may see it at its old and its new
    /// place) is applied once, as the rows one after another would leave it: its highest lock_version, and of equal
    /// versions the later row. Deletions that remove rows are deleted afterwards, in the same transaction.
    /// </summary>
    private async Task<(int Upserted, int Deleted)> CopyAndUpsertAsync(NpgsqlConnection postgres, DbTransaction transaction, MirrorTable table,
        IReadOnlyList<WorkbooksRecord> records, bool[] deleted, MirrorDeletions deletions, bool sameVersion, CancellationToken cancellationToken)
    {
        var target = SqlDialect.Quote(table.Name);
        var stage = SqlDialect.Quote("wb_stage_" + table.Name);
        var columns = string.Join(", ", table.Columns.Select(c => SqlDialect.Quote(c.Name)));
        await ExecuteAsync(transaction, $"CREATE TEMP TABLE {stage} (LIKE {target}, {SqlDialect.Quote(OrdinalColumn)} integer) ON COMMIT DROP", cancellationToken).ConfigureAwait(false);

        var removed = new List<long>();
        var importer = await postgres.BeginBinaryImportAsync(
            $"COPY {stage} ({columns}, {SqlDialect.Quote(OrdinalColumn)}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            for (var r = 0; r < records.Count; r++)
            {
                if (deletions == MirrorDeletions.Remove && deleted[r])
                {
                    removed.Add(records[r].Id);
                    continue;
                }
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                foreach (var column in table.Columns)
                {
                    if (Value(column, records[r]) is { } value)
                        await importer.WriteAsync(value, PostgresDialect.DbTypeOf(column.Kind), cancellationToken).ConfigureAwait(false);
                    else
                        await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }
                await importer.WriteAsync(r, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            }
            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        int upserts = 0, deletes = 0;
        var hasDeletedFlag = table.Columns.Any(c => c.Name == "is_deleted");
        var apply = dialect.UpsertSql(table.Name, table.Columns, sameVersion, $"""
            SELECT DISTINCT ON ("id") {columns} FROM {stage} ORDER BY "id", "lock_version" DESC NULLS LAST, {SqlDialect.Quote(OrdinalColumn)} DESC
            """) + (hasDeletedFlag ? " RETURNING " + target + ".\"is_deleted\"" : " RETURNING 1");
        var command = Command(transaction, apply);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (hasDeletedFlag && !reader.IsDBNull(0) && reader.GetBoolean(0)) deletes++;
                else upserts++;
            }
        }
        if (removed.Count > 0)
        {
            var delete = Command(transaction, $"DELETE FROM {target} WHERE \"id\" = ANY(@ids)", ("@ids", removed.ToArray()));
            await using (delete.ConfigureAwait(false))
                deletes += await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return (upserts, deletes);
    }

    public async Task<long> CountRowsAsync(string table, CancellationToken cancellationToken) =>
        Convert.ToInt64(await ScalarAsync(null, $"SELECT COUNT(*) FROM {SqlDialect.Quote(table)}", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

    private object? Value(MirrorColumn column, WorkbooksRecord record)
    {
        object? value;
        try
        {
            value = column.ValueOf(record);
        }
        catch (WorkbooksProtocolException e)
        {
            // Never a silent NULL: the copy would no longer be exact. The pass stops; what was committed stays.
            throw new WorkbooksMirrorException(string.Create(CultureInfo.InvariantCulture,
                $"Record {record.Id}, field '{column.Field}' ({column.Datatype}, column {column.Name}): {e.Message} The value does not fit the column's type; the pass stops here and the next one resumes from the last committed batch."), e);
        }
        return value is null ? null : dialect.ToParameter(column.Kind, value);
    }

    private static DbParameter Parameter(DbParameter parameter, string name, object? value)
    {
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        return parameter;
    }

    private async Task<List<StoredColumn>> ReadColumnsAsync(DbTransaction transaction, string table, CancellationToken cancellationToken)
    {
        var columns = new List<StoredColumn>();
        var command = Command(transaction, $"SELECT column_name, field_name, datatype, role, sql_type, status FROM {ColumnsTable} WHERE table_name = @t", ("@t", table));
        await using var commandScope = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            columns.Add(new StoredColumn(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        return columns;
    }

    private Task SaveColumnAsync(DbTransaction transaction, string table, MirrorColumn column, string status, CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, $"""
            INSERT INTO {ColumnsTable} (table_name, column_name, field_name, datatype, role, sql_type, status) VALUES (@t, @n, @f, @d, @r, @s, @st)
            ON CONFLICT (table_name, column_name) DO UPDATE SET field_name = excluded.field_name, datatype = excluded.datatype, role = excluded.role, sql_type = excluded.sql_type, status = excluded.status
            """, cancellationToken, ("@t", table), ("@n", column.Name), ("@f", column.Field), ("@d", column.Datatype), ("@r", RoleOf(column)), ("@s", dialect.SqlType(column.Kind)), ("@st", status));

    private async Task ExecuteAsync(DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(transaction, sql, parameters);
        await using var commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<object?> ScalarAsync(DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(transaction, sql, parameters);
        await using var commandScope = command.ConfigureAwait(false);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private DbCommand Command(DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.Add(Parameter(command.CreateParameter(), name, value));
        return command;
    }

    private sealed record StoredColumn(string Name, string Field, string Datatype, string Role, string SqlType, string Status);
}
