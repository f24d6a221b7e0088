using System.Data.Common;
using Workbooks.Emulator;
using Workbooks.Mirror.Tests.TestSupport;
using Xunit.Abstractions;

namespace Workbooks.Mirror.Tests;

/// <summary>What every target must do, run against SQLite and against a real PostgreSQL server.</summary>
public abstract class MirrorContractTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Both = ["crm/people", "crm/organisations"];

    protected WorkbooksEmulator Emulator { get; private set; } = null!;
    protected WorkbooksSession Session { get; private set; } = null!;

    /// <summary>A fresh, empty target for this test.</summary>
    protected abstract Task<MirrorTarget> NewTargetAsync();

    /// <summary>A plain connection to the last target made, as a reporting tool would open it.</summary>
    protected abstract Task<DbConnection> OpenAsync();

    public virtual async Task InitializeAsync()
    {
        Emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 400, OrganisationCount = 300, OtherRecordCount = 8 });
        Session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = Emulator.BaseAddress, ApiKey = Emulator.ApiKey, AllowInsecureLoopback = true });
    }

    public virtual async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        await Emulator.DisposeAsync();
    }

    protected static MirrorOptions Options(MirrorDeletions deletions = MirrorDeletions.Remove, params string[] types)
    {
        var options = new MirrorOptions { Partitions = 4, BatchSize = 50, Deletions = deletions };
        foreach (var type in types)
            options.Types.Add(type);
        return options;
    }

    protected async Task<IReadOnlyList<MirrorDifference>> CompareAsync(IEnumerable<string> controllerPaths, bool flag = false)
    {
        await using var connection = await OpenAsync();
        var differences = new List<MirrorDifference>();
        foreach (var path in controllerPaths)
            differences.Add(await MirrorComparison.CompareAsync(Session, connection, path, flag));
        return differences;
    }

    protected static void AssertExact(IReadOnlyList<MirrorDifference> differences)
    {
        foreach (var difference in differences)
            Assert.True(difference.IsExact, difference.ToString());
    }

    [Fact]
    public async Task EveryReadableTypeLoadsExactlyWithTypedColumns()
    {
        var summary = await new WorkbooksMirror(Session, await NewTargetAsync(), Options()).SyncAsync();

        Assert.True(summary.Tables.Count >= 30, summary.ToString());
        AssertExact(await CompareAsync(summary.Tables.Select(t => t.ControllerPath)));
        Assert.Equal(400, summary.Tables.Single(t => t.Table == "crm_people").Rows);
    }

    [Theory]
    [InlineData(MirrorDeletions.Remove, 11)]
    [InlineData(MirrorDeletions.Flag, 12)]
    public async Task UnderChurnAndInjectedFaultsTheMirrorEqualsTheServiceOnceTheChurnStops(MirrorDeletions deletions, int seed)
    {
        var mirror = new WorkbooksMirror(Session, await NewTargetAsync(), Options(deletions, Both));
        var faults = new[]
        {
            EmulatorFaultKind.ServerError, EmulatorFaultKind.DropConnection, EmulatorFaultKind.DropConnectionAfterProcessing,
            EmulatorFaultKind.TruncateResponse, EmulatorFaultKind.ExpireSession, EmulatorFaultKind.DelayingRedirect,
            EmulatorFaultKind.ServerErrorAfterProcessing, EmulatorFaultKind.StallBody,
        };
        var random = new Random(seed);
        var passes = 0;
        Churner churner;
        await using (churner = new Churner(Emulator.DefaultDatabase, seed))
        {
            // Another user changes records while the mirror loads and syncs, and the network misbehaves.
            Emulator.Control.Churn = new ConcurrentChurn("crm/people", InsertsPerRequest: 1, DeletesPerRequest: 1) { UpdatesPerRequest = 2, Seed = seed };
            for (; passes < 6; passes++)
            {
                Emulator.Control.Inject(new EmulatorFault(faults[random.Next(faults.Length)]) { PathContains = ".api", Skip = random.Next(0, 6), Delay = TimeSpan.FromMilliseconds(30) });
                await mirror.SyncAsync();
            }
            Emulator.Control.Churn = null;
            Emulator.Control.ClearFaults();
        }
        Assert.True(churner.Inserts + churner.Updates + churner.Deletes > 50, churner.ToString());

        await mirror.SyncAsync();

        var differences = await CompareAsync(Both, deletions == MirrorDeletions.Flag);
        AssertExact(differences);
        output.WriteLine($"churn: {churner}; {passes + 1} passes with {passes} faults injected; {string.Join("; ", differences)}");
    }

    [Fact]
    public async Task FlaggedDeletionsKeepTheRowWithIsDeletedTrue()
    {
        var mirror = new WorkbooksMirror(Session, await NewTargetAsync(), Options(MirrorDeletions.Flag, "crm/organisations"));
        await mirror.SyncAsync();
        var id = Emulator.DefaultDatabase.Ids("crm/organisations")[7];
        Emulator.DefaultDatabase.Delete("crm/organisations", id);

        var summary = await mirror.SyncAsync();

        Assert.Equal(1, summary.Tables[0].Deleted);
        Assert.Equal(300, summary.Tables[0].Rows);
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT is_deleted FROM crm_organisations WHERE id = {id}";
        Assert.True(Convert.ToBoolean(await command.ExecuteScalarAsync()));
        AssertExact(await CompareAsync(["crm/organisations"], flag: true));
    }

    [Fact]
    public async Task AnotherDeletionModeOnTheSameTableIsRefusedClearly()
    {
        var target = await NewTargetAsync();
        await new WorkbooksMirror(Session, target, Options(MirrorDeletions.Remove, "people")).SyncAsync();

        var e = await Assert.ThrowsAsync<WorkbooksMirrorException>(() => new WorkbooksMirror(Session, target, Options(MirrorDeletions.Flag, "people")).SyncAsync());

        Assert.Contains("crm_people was mirrored with deletions 'remove', not 'flag'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownTypeIsRefusedWithTheKnownOnes()
    {
        var e = await Assert.ThrowsAsync<WorkbooksMirrorException>(() => new WorkbooksMirror(Session, MirrorTarget.Sqlite(Path.GetTempFileName()), Options(MirrorDeletions.Remove, "peeple")).SyncAsync());
        Assert.Contains("no record type 'peeple'", e.Message, StringComparison.Ordinal);
        Assert.Contains("crm/people", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSchemaGrowsAndTheMirrorFollowsWithoutAManualStep()
    {
        var mirror = new WorkbooksMirror(Session, await NewTargetAsync(), Options(MirrorDeletions.Remove, Both));
        await mirror.SyncAsync();
        var person = Emulator.DefaultDatabase.Ids("crm/people")[0];
        Emulator.DefaultDatabase.Update("crm/people", person, new Dictionary<string, string?> { ["cf_person_score"] = "42" });
        await mirror.SyncAsync();

        Emulator.ChangeSchema(await File.ReadAllTextAsync(SchemaFile("sample-v2.types.json")));
        Emulator.DefaultDatabase.Update("crm/people", person, new Dictionary<string, string?> { ["cf_person_loyalty_tier"] = "Gold" });
        var summary = await mirror.SyncAsync();

        var people = summary.Tables.Single(t => t.Table == "crm_people");
        Assert.Contains(people.SchemaChanges, c => c.Contains("new field 'cf_person_loyalty_tier'", StringComparison.Ordinal));
        Assert.Contains(people.SchemaChanges, c => c.Contains("'cf_person_score' changed datatype from integer", StringComparison.Ordinal) && c.Contains("cf_person_score__integer", StringComparison.Ordinal));
        Assert.Equal(400, people.Loaded); // read again, so that every row has the new columns
        var organisations = summary.Tables.Single(t => t.Table == "crm_organisations");
        Assert.Contains(organisations.SchemaChanges, c => c.Contains("'cf_organisation_legacy_code' is gone; the column is kept", StringComparison.Ordinal));
        AssertExact(await CompareAsync(Both));

        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT cf_person_loyalty_tier || '|' || CAST(cf_person_score AS TEXT) || '|' || CAST(cf_person_score__integer AS TEXT) FROM crm_people WHERE id = {person}";
        Assert.Equal("Gold|42|42", await command.ExecuteScalarAsync());

        // The next pass has nothing left to do.
        var next = await mirror.SyncAsync();
        Assert.All(next.Tables, t => Assert.Equal((0, 0, 0), (t.Loaded, t.Upserted, t.Deleted)));
        Assert.All(next.Tables, t => Assert.Empty(t.SchemaChanges));
    }

    [Fact]
    public async Task ASecondMirrorOnTheSameTargetIsRefusedWhileTheFirstWrites()
    {
        var target = await NewTargetAsync();
        Emulator.Options.Latency = TimeSpan.FromMilliseconds(40); // the first pass takes a while
        try
        {
            // The first mirror holds the lock from before its first batch until its pass ends: wait for its first
            // committed batch (it is writing), then try a second one.
            var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var options = Options(MirrorDeletions.Remove, Both);
            options.Progress = new Reporter(() => writing.TrySetResult());
            var first = new WorkbooksMirror(Session, target, options).SyncAsync();
            await writing.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(first.IsCompleted);

            var e = await Assert.ThrowsAsync<WorkbooksMirrorException>(() => new WorkbooksMirror(Session, target, Options(MirrorDeletions.Remove, Both)).SyncAsync());

            Assert.StartsWith("Another mirror is writing to", e.Message, StringComparison.Ordinal);
            await first;
        }
        finally
        {
            Emulator.Options.Latency = TimeSpan.Zero;
        }
        await new WorkbooksMirror(Session, target, Options(MirrorDeletions.Remove, Both)).SyncAsync(); // free again
        AssertExact(await CompareAsync(Both));
    }

    private sealed class Reporter(Action onReport) : IProgress<MirrorProgress>
    {
        public void Report(MirrorProgress value) => onReport();
    }

    internal static string SchemaFile(string name) => Workbooks.Tests.Shared.RepositoryPaths.Combine("schema", name);
}

public sealed class SqliteMirrorContractTests(ITestOutputHelper output) : MirrorContractTests(output)
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mirror-").FullName;
    private string _path = "";

    protected override Task<MirrorTarget> NewTargetAsync()
    {
        _path = Path.Combine(_directory, $"crm-{Guid.NewGuid():N}.db");
        return Task.FromResult(MirrorTarget.Sqlite(_path));
    }

    protected override async Task<DbConnection> OpenAsync() => await MirrorComparison.OpenAsync(_path);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresMirrorContractTests(ITestOutputHelper output, PostgresFixture postgres) : MirrorContractTests(output)
{
    private Npgsql.NpgsqlDataSource? _source;
    private string _connectionString = "";

    protected override async Task<MirrorTarget> NewTargetAsync()
    {
        _connectionString = await postgres.Server.CreateDatabaseAsync($"mirror_{Guid.NewGuid():N}");
        return MirrorTarget.PostgreSql(_connectionString, postgres.Server.Password);
    }

    protected override async Task<DbConnection> OpenAsync()
    {
        if (_source is not null)
            await _source.DisposeAsync();
        _source = postgres.Server.OpenDataSource(_connectionString);
        return await _source.OpenConnectionAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_source is not null)
            await _source.DisposeAsync();
        await base.DisposeAsync();
    }
}
