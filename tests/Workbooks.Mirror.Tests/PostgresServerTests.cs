using Npgsql;
using Workbooks.Mirror.Tests.TestSupport;

namespace Workbooks.Mirror.Tests;

/// <summary>The throw-away PostgreSQL server the mirror's tests use: real, password-protected, one database per test.</summary>
public sealed class PostgresServerTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private PostgresServer Server => fixture.Server;

    [Fact]
    public async Task Accepts_the_password_and_refuses_a_wrong_one()
    {
        Assert.DoesNotContain(Server.Password, Server.ConnectionString, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", Server.ConnectionString, StringComparison.OrdinalIgnoreCase);

        await using (var dataSource = Server.OpenDataSource(Server.ConnectionString))
        {
            await using var command = dataSource.CreateCommand("SELECT version()");
            var version = (string?)await command.ExecuteScalarAsync();
            Assert.StartsWith("PostgreSQL ", version, StringComparison.Ordinal);
        }

        var wrong = new NpgsqlDataSourceBuilder(Server.ConnectionString);
        wrong.ConnectionStringBuilder.Password = Server.Password + "-wrong";
        wrong.ConnectionStringBuilder.Pooling = false;
        await using var wrongSource = wrong.Build();
        var refused = await Assert.ThrowsAsync<PostgresException>(async () => await wrongSource.OpenConnectionAsync());
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);
        Assert.Equal("28P01", refused.SqlState);
    }

    [Fact]
    public async Task Databases_it_creates_are_isolated()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var first = await Server.CreateDatabaseAsync("iso_a_" + suffix);
        var second = await Server.CreateDatabaseAsync("iso_b_" + suffix);
        Assert.NotEqual(first, second);

        await using var a = Server.OpenDataSource(first);
        await using var b = Server.OpenDataSource(second);
        await Execute(a, "CREATE TABLE t (v text); INSERT INTO t VALUES ('only in a')");
        await Execute(b, "CREATE TABLE t (v text)");

        Assert.Equal("iso_a_" + suffix, await Scalar<string>(a, "SELECT current_database()"));
        Assert.Equal("iso_b_" + suffix, await Scalar<string>(b, "SELECT current_database()"));
        Assert.Equal(1L, await Scalar<long>(a, "SELECT count(*) FROM t"));
        Assert.Equal(0L, await Scalar<long>(b, "SELECT count(*) FROM t"));

        await Execute(b, "DROP TABLE t");
        Assert.False(await Scalar<bool>(b, "SELECT to_regclass('public.t') IS NOT NULL"));
        Assert.Equal("only in a", await Scalar<string>(a, "SELECT v FROM t"));
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
