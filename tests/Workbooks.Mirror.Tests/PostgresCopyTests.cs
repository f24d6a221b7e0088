using Workbooks.Emulator;
using Workbooks.Mirror.Schema;
using Workbooks.Mirror.Sql;
using Workbooks.Mirror.Tests.TestSupport;
using Workbooks.Records;

namespace Workbooks.Mirror.Tests;

/// <summary>
/// PostgreSQL batches of <see cref="MirrorStore.CopyThreshold"/> records or more go by binary <c>COPY</c> and one
/// <c>INSERT … SELECT</c>; they must leave the table exactly as the row-by-row upserts do, a record that comes twice in
/// one batch (older after newer, as a delta read can give it) included.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCopyTests(PostgresFixture postgres)
{
    private static MirrorTable People()
    {
        using var snapshot = System.Text.Json.JsonDocument.Parse(File.ReadAllText(MirrorContractTests.SchemaFile("sample.types.json")));
        var person = snapshot.RootElement.GetProperty("data").EnumerateArray().Single(t => t.GetProperty("class_name").GetString() == "Private::Crm::Person");
        return MirrorTable.FromMetadata(person, includeRelated: false);
    }

    [Theory]
    [InlineData(3)]  // below the threshold: one upsert per row
    [InlineData(60)] // COPY
    public async Task AnOlderVersionAfterANewerOneInTheSameBatchLeavesTheNewer(int batchSize)
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 80, OrganisationCount = 2, OtherRecordCount = 1 });
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true });
        var desired = People();
        var people = session.Records("crm/people").SelectFields([.. desired.Fields]);
        var all = await people.ToListAsync();
        var older = all[0];
        var changes = session.Changes("crm/people");
        var update = (await people.Where(f => f["id"].Equal(older.Id)).ToListAsync()).Single();
        update.Set("name", "Renamed Twice");
        changes.Update(update);
        await changes.SubmitAsync();
        var newer = (await people.Where(f => f["id"].Equal(older.Id)).ToListAsync()).Single();
        Assert.True(newer.LockVersion > older.LockVersion);

        var batch = new List<WorkbooksRecord> { newer, older };
        batch.AddRange(all.Skip(1).Take(batchSize - 2));
        Assert.Equal(batchSize >= MirrorStore.CopyThreshold, batch.Count >= MirrorStore.CopyThreshold);

        var connectionString = await postgres.Server.CreateDatabaseAsync($"copy_{Guid.NewGuid():N}");
        await using var dialect = MirrorTarget.PostgreSql(connectionString, postgres.Server.Password).Open();
        await using var connection = await dialect.OpenAsync(CancellationToken.None);
        var store = new MirrorStore(dialect, connection);
        await store.EnsureStateTablesAsync(CancellationToken.None);
        var (table, _, _) = await store.ReconcileAsync(desired, MirrorDeletions.Remove, CancellationToken.None);

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var (upserted, deleted) = await store.WriteAsync(transaction, table, batch, MirrorDeletions.Remove, sameVersion: false, CancellationToken.None);
            Assert.Equal((batchSize - 1, 0), (upserted, deleted)); // the older version is not applied
            await transaction.CommitAsync();
        }

        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT lock_version, name FROM \"{table.Name}\" WHERE id = {older.Id}";
            await using var reader = await read.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(newer.LockVersion, reader.GetInt64(0));
            Assert.Equal("Renamed Twice", reader.GetString(1));
        }
        Assert.Equal(batchSize - 1, await store.CountRowsAsync(table.Name, CancellationToken.None));
    }
}
