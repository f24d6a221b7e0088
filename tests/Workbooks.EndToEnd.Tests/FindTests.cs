using Sample.Crm;
using Workbooks.Emulator;
using Workbooks.EndToEnd.Tests.TestSupport;

namespace Workbooks.EndToEnd.Tests;

/// <summary>Finding records by id with the generated client, against the emulator over HTTP.</summary>
public sealed class FindTests() : EmulatorClientTests(people: 300, organisations: 50)
{
    [Fact]
    public async Task FindAsyncReturnsTheRecordOrNullWhenAbsentOrDeleted()
    {
        var ids = Emu.DefaultDatabase.Ids("crm/people");
        Emu.DefaultDatabase.Delete("crm/people", ids[1]);

        var person = await Crm.People.FindAsync(ids[0]);
        Assert.NotNull(person);
        Assert.Equal(ids[0], person.Id);
        Assert.Equal(Emu.DefaultDatabase.Get("crm/people", ids[0])!["name"], person.Name);
        Assert.Null(await Crm.People.FindAsync(ids[1]));
        Assert.Null(await Crm.People.FindAsync(999_999));
    }

    [Fact]
    public async Task FindManyAsyncKeepsTheOrderGivenReportsMissingIdsAndSendsAHundredIdsARequest()
    {
        var ids = Emu.DefaultDatabase.Ids("crm/people").ToArray();
        var wanted = ids.Take(250).Reverse().Append(999_998).Append(ids[3]).Prepend(999_997).ToArray();
        var before = Emu.Control.Requests.Count(r => r.Path == "/crm/people.api");

        var found = await Crm.People.FindManyAsync(wanted);

        Assert.Equal(ids.Take(250).Reverse(), found.Records.Select(p => p.Id));
        Assert.Equal([999_997L, 999_998L], found.Missing);
        Assert.False(found.AllFound);
        Assert.Equal(3, Emu.Control.Requests.Count(r => r.Path == "/crm/people.api") - before);
    }

    [Fact]
    public async Task FindRespectsTheQuerysFilterAndProjection()
    {
        var someone = Emu.DefaultDatabase.Ids("crm/people")[5];
        var lastName = Emu.DefaultDatabase.Get("crm/people", someone)!["person_last_name"]!;

        var same = await Crm.People.Where(p => p.PersonLastName == lastName).SelectFields(p => p.Name).FindAsync(someone);
        var other = await Crm.People.Where(p => p.PersonLastName != lastName).FindAsync(someone);

        Assert.NotNull(same);
        Assert.Null(same.PersonFirstName); // not selected
        Assert.NotNull(same.Name);
        Assert.Null(other);
    }
}
