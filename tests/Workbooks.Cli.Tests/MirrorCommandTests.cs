using Microsoft.Data.Sqlite;

namespace Workbooks.Cli.Tests;

/// <summary>workbooks mirror: what a person types, and what they are told when it is wrong.</summary>
public sealed class MirrorCommandTests(SchemaEmulatorsFixture emulators) : IClassFixture<SchemaEmulatorsFixture>
{
    private Dictionary<string, string> Key => new() { ["WB_KEY"] = emulators.Sample.ApiKey };

    [Fact]
    public async Task MirrorsIntoASqliteFileAndSaysWhatItDid()
    {
        using var dir = new TempDir();
        var db = Path.Combine(dir.Path, "crm.db");

        var run = await CliRun.RunAsync(Key, null, "mirror", "--service", emulators.Sample.BaseAddress.ToString(), "--allow-http-loopback",
            "--api-key-env", "WB_KEY", "--to", db, "--types", "people,organisations");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("crm_people: 10 rows (10 loaded", run.Out, StringComparison.Ordinal);
        Assert.Contains("crm_organisations: 10 rows", run.Out, StringComparison.Ordinal);
        Assert.Contains("schema: created table crm_people", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", run.Err, StringComparison.Ordinal); // no progress line when not on a terminal
        Assert.DoesNotContain(emulators.Sample.ApiKey, run.All, StringComparison.Ordinal);
        await using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM crm_people WHERE name IS NOT NULL";
        Assert.Equal(10L, await command.ExecuteScalarAsync());

        var again = await CliRun.RunAsync(Key, null, "mirror", "--service", emulators.Sample.BaseAddress.ToString(), "--allow-http-loopback",
            "--api-key-env", "WB_KEY", "--to", db, "--types", "people", "--quiet");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("", again.All);
    }

    [Theory]
    [InlineData("a password in the target", new[] { "--to", "Host=db;Database=crm;Password=secret" }, "--to must not hold a password")]
    [InlineData("a password under an alias", new[] { "--to", "Server=db;Database=crm;Pwd=secret" }, "--to must not hold a password")]
    [InlineData("a password in a URL", new[] { "--to", "postgres://crm:secret@db/crm" }, "not in the URL. Name it with --to-password-env VAR.")]
    [InlineData("an interval of zero", new[] { "--to", "crm.db", "--watch", "0s" }, "above zero")]
    [InlineData("no target", new string[0], "--to TARGET")]
    [InlineData("a bad interval", new[] { "--to", "crm.db", "--watch", "soon" }, "--watch must be an interval such as 30s")]
    [InlineData("a bad deletion mode", new[] { "--to", "crm.db", "--deletions", "purge" }, "--deletions must be remove or flag")]
    [InlineData("too many partitions", new[] { "--to", "crm.db", "--partitions", "100" }, "--partitions must be a whole number from 1 to 64")]
    [InlineData("a password env for SQLite", new[] { "--to", "crm.db", "--to-password-env", "WB_KEY" }, "--to-password-env is for a PostgreSQL target")]
    public async Task UsageErrorsSayWhatToWriteInstead(string why, string[] options, string expected)
    {
        var run = await CliRun.RunAsync(Key, null, ["mirror", "--service", emulators.Sample.BaseAddress.ToString(), "--allow-http-loopback", "--api-key-env", "WB_KEY", .. options]);

        Assert.True(run.ExitCode == CliApp.ExitUsage, why + ": " + run.All);
        Assert.Contains(expected, run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownTypeIsAnErrorThatListsTheKnownOnes()
    {
        using var dir = new TempDir();
        var run = await CliRun.RunAsync(Key, null, "mirror", "--service", emulators.Sample.BaseAddress.ToString(), "--allow-http-loopback",
            "--api-key-env", "WB_KEY", "--to", Path.Combine(dir.Path, "crm.db"), "--types", "peeple");

        Assert.Equal(CliApp.ExitError, run.ExitCode);
        Assert.Contains("no record type 'peeple'", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchKeepsGoingUntilCancelledAndThenStopsCleanly()
    {
        using var dir = new TempDir();
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var app = new CliApp(stdout, stderr, name => name == "WB_KEY" ? emulators.Sample.ApiKey : null, _ => null);
        using var stop = new CancellationTokenSource();
        var run = app.RunAsync(["mirror", "--service", emulators.Sample.BaseAddress.ToString(), "--allow-http-loopback", "--api-key-env", "WB_KEY",
            "--to", Path.Combine(dir.Path, "crm.db"), "--types", "people", "--watch", "100ms"], stop.Token);
        while (stdout.ToString().Split('\n').Count(l => l.StartsWith("no changes (", StringComparison.Ordinal)) < 2 && !run.IsCompleted)
            await Task.Delay(50);
        await stop.CancelAsync();

        Assert.Equal(0, await run);
        Assert.True(Passes(stdout) >= 1, stdout.ToString() + stderr);
        Assert.True(stdout.ToString().Split('\n').Count(l => l.StartsWith("no changes (", StringComparison.Ordinal)) >= 2, stdout.ToString()); // later passes: one line
        Assert.Contains("stopped; the next run resumes where this one got to.", stderr.ToString(), StringComparison.Ordinal);

        static int Passes(StringWriter output) => output.ToString().Split('\n').Count(l => l.StartsWith("crm_people:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("250ms", 250)]
    [InlineData("45", 45_000)]
    public void IntervalsAreReadAsPeopleWriteThem(string text, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), CliApp.ParseInterval(text));
}
