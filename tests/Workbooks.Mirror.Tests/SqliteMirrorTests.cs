using Workbooks.Emulator;
using Workbooks.Mirror.Tests.TestSupport;

namespace Workbooks.Mirror.Tests;

public sealed class SqliteMirrorTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mirror-").FullName;
    private WorkbooksEmulator _emulator = null!;
    private WorkbooksSession _session = null!;

    private string DbPath => Path.Combine(_directory, "crm.db");

    public async Task InitializeAsync()
    {
        _emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 300, OrganisationCount = 200, OtherRecordCount = 10 });
        _session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emulator.BaseAddress, ApiKey = _emulator.ApiKey, AllowInsecureLoopback = true });
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _emulator.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private WorkbooksMirror Mirror(params string[] types)
    {
        var options = new MirrorOptions { Partitions = 4, BatchSize = 100 };
        foreach (var type in types)
            options.Types.Add(type);
        return new WorkbooksMirror(_session, MirrorTarget.Sqlite(DbPath), options);
    }

    [Fact]
    public async Task TheFirstPassLoadsEveryRecordOfEveryChosenTypeExactly()
    {
        var summary = await Mirror("people", "crm/organisations").SyncAsync();

        Assert.Equal(["crm_people", "crm_organisations"], summary.Tables.Select(t => t.Table));
        Assert.Equal(300, summary.Tables[0].Loaded);
        await using var connection = await MirrorComparison.OpenAsync(DbPath);
        foreach (var path in new[] { "crm/people", "crm/organisations" })
        {
            var difference = await MirrorComparison.CompareAsync(_session, connection, path);
            Assert.True(difference.IsExact, difference.ToString());
        }
    }

    [Fact]
    public async Task LaterPassesApplyInsertsUpdatesAndDeletes()
    {
        var mirror = Mirror("people");
        await mirror.SyncAsync();
        var db = _emulator.DefaultDatabase;
        var ids = db.Ids("crm/people");
        db.Update("crm/people", ids[3], new Dictionary<string, string?> { ["person_first_name"] = "Changed" });
        db.Delete("crm/people", ids[5]);
        var added = db.Insert("crm/people", new Dictionary<string, string?> { ["person_first_name"] = "New", ["person_last_name"] = "Person" });

        var second = await mirror.SyncAsync();

        var people = Assert.Single(second.Tables);
        Assert.Equal(0, people.Loaded);
        Assert.Equal(2, people.Upserted);
        Assert.Equal(1, people.Deleted);
        await using var connection = await MirrorComparison.OpenAsync(DbPath);
        var difference = await MirrorComparison.CompareAsync(_session, connection, "crm/people");
        Assert.True(difference.IsExact, difference.ToString());
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT person_first_name || '|' || lock_version FROM crm_people WHERE id IN ({added}, {ids[3]}, {ids[5]}) ORDER BY id";
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add(reader.GetString(0));
        // Updated (at the service's lock_version), deleted (gone), inserted.
        Assert.Equal([$"Changed|{db.Get("crm/people", ids[3])!["lock_version"]}", $"New|{db.Get("crm/people", added)!["lock_version"]}"], rows);
    }
}
