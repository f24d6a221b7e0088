using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.EndToEnd.Tests;

/// <summary>Create or update by a key, in one call, never duplicating (generated client against the emulator).</summary>
public sealed class UpsertTests : IAsyncLifetime
{
    private const string Path = "crm/organisations";
    private WorkbooksEmulator _emu = null!;
    private WorkbooksSession _session = null!;
    private SampleCrm _crm = null!;

    public async Task InitializeAsync()
    {
        _emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 5, OrganisationCount = 20, OtherRecordCount = 1 });
        _session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emu.BaseAddress, ApiKey = _emu.ApiKey, AllowInsecureLoopback = true });
        _crm = new SampleCrm(_session);
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _emu.DisposeAsync();
    }

    private long[] Stored(string reference) =>
        [.. _emu.DefaultDatabase.Ids(Path).Where(id => string.Equals(_emu.DefaultDatabase.Get(Path, id)!["created_through_reference"], reference, StringComparison.OrdinalIgnoreCase))];

    private int Puts() => _emu.Control.Requests.Count(r => r.Method == "PUT" && r.Path == "/" + Path + ".api");

    [Fact]
    public async Task AnUpsertCreatesThenUpdatesTheSameRecord()
    {
        var first = _crm.Organisations.Changes();
        var created = first.Upsert(new Organisation { Name = "Upsert Ltd", CreatedThroughReference = "erp-1" });
        var firstResult = await first.SubmitAsync();

        var second = _crm.Organisations.Changes();
        var again = second.Upsert(new Organisation { Name = "Upsert Renamed Ltd", CreatedThroughReference = "ERP-1" });
        var secondResult = await second.SubmitAsync();

        Assert.Equal(ChangeKind.Create, firstResult.Results[0].Kind);
        Assert.Equal(ChangeKind.Update, secondResult.Results[0].Kind);
        Assert.Equal(created.Id, again.Id);
        Assert.Equal([created.Id], Stored("erp-1"));
        Assert.Equal("Upsert Renamed Ltd", _emu.DefaultDatabase.Get(Path, created.Id)!["name"]);
    }

    [Fact]
    public async Task AHundredAndFiftyUpsertsLookUpTheirKeysInTwoReadsAndCreateOrUpdateEachOnce()
    {
        var seed = _crm.Organisations.Changes();
        for (var i = 0; i < 60; i++)
            seed.Create(new Organisation { Name = $"Bulk {i}", CreatedThroughReference = $"bulk-{i}" });
        await seed.SubmitAsync();
        var readsBefore = _emu.Control.Requests.Count(r => r.Method == "GET" && r.Path == "/" + Path + ".api");
        var putsBefore = Puts();

        var upserts = _crm.Organisations.Changes();
        for (var i = 0; i < 150; i++)
            upserts.Upsert(new Organisation { Name = $"Bulk {i} v2", CreatedThroughReference = $"bulk-{i}" });
        var result = await upserts.SubmitAsync();

        Assert.Equal(60, result.Results.Count(r => r.Kind == ChangeKind.Update));
        Assert.Equal(90, result.Results.Count(r => r.Kind == ChangeKind.Create));
        Assert.All(result.Results, r => Assert.Equal(ChangeOutcome.Applied, r.Outcome));
        Assert.Equal(2, _emu.Control.Requests.Count(r => r.Method == "GET" && r.Path == "/" + Path + ".api") - readsBefore);
        Assert.Equal(2, Puts() - putsBefore);
        Assert.All(Enumerable.Range(0, 150), i =>
        {
            var id = Assert.Single(Stored($"bulk-{i}"));
            Assert.Equal($"Bulk {i} v2", _emu.DefaultDatabase.Get(Path, id)!["name"]);
        });
    }

    [Fact]
    public async Task AKeyThatNamesTwoRecordsRefusesTheUpsertBeforeSendingAnything()
    {
        var twins = _crm.Organisations.Changes();
        twins.Create(new Organisation { Name = "Twin A", CreatedThroughReference = "twin" });
        twins.Create(new Organisation { Name = "Twin B", CreatedThroughReference = "twin" });
        await twins.SubmitAsync();
        var before = Puts();

        var upsert = _crm.Organisations.Changes();
        upsert.Upsert(new Organisation { Name = "Third", CreatedThroughReference = "twin" });
        upsert.Create(new Organisation { Name = "Innocent", CreatedThroughReference = "innocent" });
        var error = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => upsert.SubmitAsync());

        Assert.Equal(0, Puts() - before);
        Assert.Equal(ChangeOutcome.Failed, error.Result.Results[0].Outcome);
        Assert.Equal(ChangeOutcome.NotAttempted, error.Result.Results[1].Outcome);
        Assert.Contains("have created_through_reference 'twin': an upsert needs at most one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUpsertCreateDeliveredLateIsVerifiedByItsKeyAndNotDuplicated()
    {
        await using var impatient = await WorkbooksSession.ConnectAsync(new WorkbooksOptions
        {
            Service = _emu.BaseAddress, ApiKey = _emu.ApiKey, AllowInsecureLoopback = true, Timeout = TimeSpan.FromMilliseconds(700),
        });
        var changes = new SampleCrm(impatient).Organisations.Changes();
        var record = changes.Upsert(new Organisation { Name = "Late Upsert Ltd", CreatedThroughReference = "late-upsert" });
        _emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.LateDelivery) { PathContains = Path, Method = "PUT", Delay = TimeSpan.FromMilliseconds(1500) });

        var result = await changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.FromSeconds(8) });

        Assert.True(result.Results[0].Verified);
        Assert.Equal([record.Id], Stored("late-upsert"));
        Assert.Equal("Late Upsert Ltd", record.Name);
    }
}
