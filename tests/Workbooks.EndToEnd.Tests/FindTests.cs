using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.EndToEnd.Tests;

/// <summary>Finding records by id with the generated client, against the emulator over HTTP.</summary>
public sealed class FindTests : IAsyncLifetime
{
    private WorkbooksEmulator _emu = null!;
    private WorkbooksSession _session = null!;
    private SampleCrm _crm = null!;

    public async Task InitializeAsync()
    {
        _emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 300, OrganisationCount = 50, OtherRecordCount = 1 });
        _session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emu.BaseAddress, ApiKey = _emu.ApiKey, AllowInsecureLoopback = true });
        _crm = new SampleCrm(_session);
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _emu.DisposeAsync();
    }

    [Fact]
    public async Task FindAsyncReturnsTheRecordOrNullWhenAbsentOrDeleted()
    {
        var ids = _emu.DefaultDatabase.Ids("crm/people");
        _emu.DefaultDatabase.Delete("crm/people", ids[1]);

        var person = await _crm.People.FindAsync(ids[0]);
        Assert.NotNull(person);
        Assert.Equal(ids[0], person.Id);
        Assert.Equal(_emu.DefaultDatabase.Get("crm/people", ids[0])!["name"], person.Name);
        Assert.Null(await _crm.People.FindAsync(ids[1]));
        Assert.Null(await _crm.People.FindAsync(999_999));
    }

    [Fact]
    public async Task FindManyAsyncKeepsTheOrderGivenReportsMissingIdsAndSendsAHundredIdsARequest()
    {
        var ids = _emu.DefaultDatabase.Ids("crm/people").ToArray();
        var wanted = ids.Take(250).Reverse().Append(999_998).Append(ids[3]).Prepend(999_997).ToArray();
        var before = _emu.Control.Requests.Count(r => r.Path == "/crm/people.api");

        var found = await _crm.People.FindManyAsync(wanted);

        Assert.Equal(ids.Take(250).Reverse(), found.Records.Select(p => p.Id));
        Assert.Equal([999_997L, 999_998L], found.Missing);
        Assert.False(found.AllFound);
        Assert.Equal(3, _emu.Control.Requests.Count(r => r.Path == "/crm/people.api") - before);
    }

    [Fact]
    public async Task FindRespectsTheQuerysFilterAndProjection()
    {
        var someone = _emu.DefaultDatabase.Ids("crm/people")[5];
        var lastName = _emu.DefaultDatabase.Get("crm/people", someone)!["person_last_name"]!;

        var same = await _crm.People.Where(p => p.PersonLastName == lastName).SelectFields(p => p.Name).FindAsync(someone);
        var other = await _crm.People.Where(p => p.PersonLastName != lastName).FindAsync(someone);

        Assert.NotNull(same);
        Assert.Null(same.PersonFirstName); // not selected
        Assert.NotNull(same.Name);
        Assert.Null(other);
    }
}
