using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Workbooks.Mirror.Schema;

namespace Workbooks.Mirror.Sql;

/// <summary>What differs between the SQL databases a mirror writes to: connections, column types and value forms.</summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    public abstract string Name { get; }

    /// <summary>The type of the state tables' integer columns.</summary>
    public abstract string BigIntType { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public abstract string SqlType(ColumnKind kind);

    /// <summary>A .NET value (as <see cref="MirrorColumn.ValueOf"/> gives it) in the form the provider stores for the kind.</summary>
    public abstract object ToParameter(ColumnKind kind, object value);

    /// <summary>Whether the provider sends many commands in one round trip (<see cref="DbBatch"/>).</summary>
    public abstract bool UsesBatches { get; }

    /// <summary>
    /// Takes the target's mirror lock for as long as the connection (or the returned handle) lives: one mirror writes to
    /// a target at a time. The lock dies with the process, even a killed one.
    /// </summary>
    /// <exception cref="WorkbooksMirrorException">Another mirror holds it.</exception>
    public abstract Task<IDisposable?> LockAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>The null-safe inequality operator (<c>IS NOT</c> in SQLite, <c>IS DISTINCT FROM</c> in PostgreSQL).</summary>
    public abstract string DistinctFrom { get; }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>An upsert that never moves a row back to an older version, and rewrites the same version only when
    /// <paramref name="sameVersion"/> (a load, which may bring new columns); else a version already applied is left
    /// alone (0 rows affected).</summary>
    /// <param name="table">The mirrored table.</param>
    /// <param name="columns">The columns written.</param>
    /// <param name="sameVersion">Whether the same version is written again.</param>
    /// <param name="rows">A query giving the rows (in the order of <paramref name="columns"/>); null: one row of
    /// parameters <c>@p0</c>, <c>@p1</c>…</param>
    public string UpsertSql(string table, IReadOnlyList<MirrorColumn> columns, bool sameVersion, string? rows = null)
    {
        var sql = new StringBuilder();
        sql.Append("INSERT INTO ").Append(Quote(table)).Append(" (");
        sql.AppendJoin(", ", columns.Select(c => Quote(c.Name)));
        if (rows is null)
        {
            sql.Append(") VALUES (");
            sql.AppendJoin(", ", columns.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)));
            sql.Append(')');
        }
        else
        {
            sql.Append(") ").Append(rows);
        }
        sql.Append(" ON CONFLICT (\"id\") DO UPDATE SET ");
        sql.AppendJoin(", ", columns.Where(c => c.Name != "id").Select(c => $"{Quote(c.Name)} = excluded.{Quote(c.Name)}"));
        sql.Append(" WHERE ").Append(Quote(table)).Append(".\"lock_version\" IS NULL OR ").Append(Quote(table)).Append(sameVersion ? ".\"lock_version\" <= excluded.\"lock_version\"" : ".\"lock_version\" < excluded.\"lock_version\"");
        // A deletion applies even if the service did not move the lock_version for it (flagged deletions).
        if (columns.Any(c => c.Name == "is_deleted"))
            sql.Append(" OR ").Append(Quote(table)).Append(".\"is_deleted\" ").Append(DistinctFrom).Append(" excluded.\"is_deleted\"");
        return sql.ToString();
    }
}

/// <summary>SQLite through Microsoft.Data.Sqlite: one file, WAL journal.</summary>
internal sealed class SqliteDialect(string connectionString, string path) : SqlDialect
{
    public override string Name => "SQLite";

    /// <summary>An exclusive lock on <c>{file}-mirror.lock</c> (flock on Unix, a share lock on Windows), not on the
    /// database file itself: readers (sqlite3, a BI tool) stay free to read while the mirror writes.</summary>
    public override Task<IDisposable?> LockAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Two paths to one file (a symbolic link) must share the lock.
        var real = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        var lockPath = real + "-mirror.lock";
        try
        {
            return Task.FromResult<IDisposable?>(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when ((e.HResult & 0xFFFF) is 32 or 33 or 11 or 35) // a sharing or lock violation (Windows), EAGAIN/EWOULDBLOCK (flock): held elsewhere
        {
            throw new WorkbooksMirrorException($"Another mirror is writing to {real} (it holds {lockPath}): one mirror per target at a time.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WorkbooksMirrorException($"The mirror's lock file {lockPath} cannot be opened: {e.Message}", e);
        }
    }
    public override string BigIntType => "INTEGER";
    public override string DistinctFrom => "IS NOT";
    public override bool UsesBatches => false;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var pragma = connection.CreateCommand();
            await using var pragmaScope = pragma.ConfigureAwait(false);
            // WAL with synchronous=NORMAL is durable against a killed process (the case the mirror promises to survive);
            // busy_timeout lets a reader (sqlite3 in another terminal) and the mirror share the file.
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override string SqlType(ColumnKind kind) => kind switch
    {
        ColumnKind.Integer => "INTEGER",
        ColumnKind.Float => "REAL",
        ColumnKind.Decimal or ColumnKind.CurrencyAmount => "NUMERIC",
        ColumnKind.Boolean => "BOOLEAN",
        ColumnKind.Date => "DATE",
        ColumnKind.DateTime => "TIMESTAMP",
        ColumnKind.Time => "TIME",
        ColumnKind.TextList => "JSON",
        _ => "TEXT",
    };

    public override object ToParameter(ColumnKind kind, object value) => value switch
    {
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset at => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        TimeOnly time => time.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        bool flag => flag ? 1L : 0L,
        decimal number => number.ToString(CultureInfo.InvariantCulture),
        IReadOnlyList<string> list => JsonArray(list),
        _ => value,
    };

    private static string JsonArray(IReadOnlyList<string> values) => JsonText.Write(writer =>
    {
        writer.WriteStartArray();
        foreach (var value in values)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
    });
}

/// <summary>PostgreSQL through Npgsql: typed columns (numeric, date, timestamptz, time, text[]).</summary>
internal sealed class PostgresDialect(NpgsqlDataSource dataSource) : SqlDialect
{
    /// <summary>The advisory-lock key of the mirror (per database): the first eight bytes of "wbmirror".</summary>
    private const long LockKey = 0x77626D6972726F72;

    public override string Name => "PostgreSQL";

    /// <summary>A session-level advisory lock, released when the connection closes (or the process dies).</summary>
    public override async Task<IDisposable?> LockAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using var commandScope = command.ConfigureAwait(false);
        command.CommandText = "SELECT pg_try_advisory_lock(" + LockKey.ToString(CultureInfo.InvariantCulture) + ")";
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            throw new WorkbooksMirrorException($"Another mirror is writing to database {connection.Database} (it holds advisory lock {LockKey}): one mirror per target at a time.");
        return null;
    }
    public override string BigIntType => "bigint";
    public override string DistinctFrom => "IS DISTINCT FROM";
    public override bool UsesBatches => true;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override string SqlType(ColumnKind kind) => kind switch
    {
        ColumnKind.Integer => "bigint",
        ColumnKind.Float => "double precision",
        ColumnKind.Decimal or ColumnKind.CurrencyAmount => "numeric",
        ColumnKind.Boolean => "boolean",
        ColumnKind.Date => "date",
        ColumnKind.DateTime => "timestamptz",
        ColumnKind.Time => "time",
        ColumnKind.TextList => "text[]",
        _ => "text",
    };

    /// <summary>The PostgreSQL type of a column kind, as <see cref="SqlType"/> declares it (for binary <c>COPY</c>).</summary>
    public static NpgsqlTypes.NpgsqlDbType DbTypeOf(ColumnKind kind) => kind switch
    {
        ColumnKind.Integer => NpgsqlTypes.NpgsqlDbType.Bigint,
        ColumnKind.Float => NpgsqlTypes.NpgsqlDbType.Double,
        ColumnKind.Decimal or ColumnKind.CurrencyAmount => NpgsqlTypes.NpgsqlDbType.Numeric,
        ColumnKind.Boolean => NpgsqlTypes.NpgsqlDbType.Boolean,
        ColumnKind.Date => NpgsqlTypes.NpgsqlDbType.Date,
        ColumnKind.DateTime => NpgsqlTypes.NpgsqlDbType.TimestampTz,
        ColumnKind.Time => NpgsqlTypes.NpgsqlDbType.Time,
        ColumnKind.TextList => NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        _ => NpgsqlTypes.NpgsqlDbType.Text,
    };

    public override object ToParameter(ColumnKind kind, object value) => value switch
    {
        DateTimeOffset at => at.ToUniversalTime(),
        IReadOnlyList<string> list => list.ToArray(),
        _ => value,
    };

    public override async ValueTask DisposeAsync()
    {
        await dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
