using Microsoft.Data.Sqlite;
using Npgsql;
using Workbooks.Mirror.Sql;

namespace Workbooks.Mirror;

/// <summary>The SQL database a mirror writes to: a SQLite file (embedded, the default) or a PostgreSQL database.</summary>
public sealed class MirrorTarget
{
    private readonly Func<SqlDialect> _open;

    private MirrorTarget(string description, bool isPostgreSql, Func<SqlDialect> open)
    {
        Description = description;
        IsPostgreSql = isPostgreSql;
        _open = open;
    }

    /// <summary>Where the mirror writes, for logs and terminals (never a password).</summary>
    public string Description { get; }

    /// <summary>Whether the target is PostgreSQL (else SQLite).</summary>
    public bool IsPostgreSql { get; }

    /// <summary>A SQLite database file (created when missing).</summary>
    public static MirrorTarget Sqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        return new MirrorTarget($"SQLite {full}", false, () => new SqliteDialect(connectionString, full));
    }

    /// <summary>A PostgreSQL database, by Npgsql connection string. Give the password separately (from an environment
    /// variable or a secret store), not in the connection string, so that it never shows in logs or process lists.</summary>
    public static MirrorTarget PostgreSql(string connectionString, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Not a PostgreSQL connection string: {e.Message}", nameof(connectionString), e);
        }
        var description = $"PostgreSQL {parsed.Host}:{parsed.Port}/{parsed.Database}";
        return new MirrorTarget(description, true, () =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            if (password is not null)
                builder.ConnectionStringBuilder.Password = password;
            // The mirror sends the same upsert thousands of times: prepared once per connection, it is planned once.
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
                builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
            return new PostgresDialect(builder.Build());
        });
    }

    /// <summary>
    /// A target as the command line gives it: a connection string (<c>Host=…;Database=…</c>) or a
    /// <c>postgres://</c>/<c>postgresql://</c> URL is PostgreSQL; anything else is a SQLite file path.
    /// </summary>
    public static MirrorTarget Parse(string target, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (target.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return PostgreSql(FromUrl(new Uri(target)), password);
        if (target.Contains('=', StringComparison.Ordinal) && IsConnectionString(target))
            return PostgreSql(target, password);
        return Sqlite(target);
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    internal SqlDialect Open() => _open();

    /// <summary>Whether the text is an Npgsql connection string naming a server (Host, Server or their aliases).</summary>
    private static bool IsConnectionString(string text)
    {
        try
        {
            return !string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(text).Host);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Whether a PostgreSQL connection string holds a password (under any of its keywords: Password, Pwd, Psw).</summary>
    internal static bool HoldsPassword(string connectionString)
    {
        try
        {
            return !string.IsNullOrEmpty(new NpgsqlConnectionStringBuilder(connectionString).Password);
        }
        catch (ArgumentException)
        {
            return connectionString.Contains("password", StringComparison.OrdinalIgnoreCase);
        }
    }

    private static string FromUrl(Uri url)
    {
        if (!string.IsNullOrEmpty(url.UserInfo) && url.UserInfo.Contains(':', StringComparison.Ordinal))
            throw new ArgumentException("Give the PostgreSQL password separately (an environment variable), not in the URL.", nameof(url));
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.IsDefaultPort || url.Port <= 0 ? 5432 : url.Port,
            Database = Uri.UnescapeDataString(url.AbsolutePath.Trim('/')),
        };
        if (!string.IsNullOrEmpty(url.UserInfo))
            builder.Username = Uri.UnescapeDataString(url.UserInfo);
        // The URL's query parameters (sslmode=verify-full, …) are connection settings too: keep every one.
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            if (key.Equals("password", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException("Give the PostgreSQL password separately (an environment variable), not in the URL.", nameof(url));
            var value = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            // libpq's spelling (sslmode=verify-full) for Npgsql's (VerifyFull).
            if (key.Replace(" ", "", StringComparison.Ordinal).Equals("sslmode", StringComparison.OrdinalIgnoreCase))
                value = value.Replace("-", "", StringComparison.Ordinal);
            builder[key] = value;
        }
        return builder.ToString();
    }
}
