using Sample.Crm;
using Workbooks.Emulator;
using Workbooks.EndToEnd.Tests.TestSupport;

namespace Workbooks.EndToEnd.Tests;

/// <summary>Select projects: what the lambda builds comes back, and the request asks for exactly what it reads.</summary>
public sealed class ProjectionTests() : EmulatorClientTests(people: 60, organisations: 10)
{
    private IReadOnlyList<string> ColumnsRequested() =>
        Emu.Control.Requests.Last(r => r.Path == "/crm/people.api").ParameterValues("_select_columns[]").Order(StringComparer.Ordinal).ToArray();

    private string? Stored(long id, string field) => Emu.DefaultDatabase.Get("crm/people", id)![field];

    [Fact]
    public async Task AnAnonymousTypeReadsTheRecordsOwnFieldsARelatedAttributeAndAnAssociation()
    {
        var rows = await Crm.People
            .Where(p => p.EmployerLink > 0)
            .OrderBy(p => p.Id)
            .Take(5)
            .Select(p => new { p.Id, p.Name, Email = p.MainLocation.Email, Employer = p.Employer.Name })
            .ToListAsync();

        Assert.Equal(["employer[name]", "id", "lock_version", "main_location[email]", "name"], ColumnsRequested());
        Assert.Equal(5, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(Stored(row.Id, "name"), row.Name);
            Assert.Equal(Stored(row.Id, "main_location[email]"), row.Email);
            var employer = Emu.DefaultDatabase.Get("crm/organisations", long.Parse(Stored(row.Id, "employer_link")!, System.Globalization.CultureInfo.InvariantCulture))!;
            Assert.Equal(employer["name"], row.Employer);
        }
    }

    [Fact]
    public async Task ASingleMemberYieldsItsValues()
    {
        var ids = Emu.DefaultDatabase.Ids("crm/people").Take(3).ToArray();

        var names = await Crm.People.Where(p => p.Id.In(ids)).OrderBy(p => p.Id).Select(p => p.Name).ToListAsync();

        Assert.Equal(ids.Select(id => Stored(id, "name")), names);
        Assert.Equal(["id", "lock_version", "name"], ColumnsRequested());
    }

    private sealed record Card(string? Name, DateTimeOffset? Created);

    [Fact]
    public async Task ANamedRecordAndATupleAreBuiltAsWritten()
    {
        var first = Emu.DefaultDatabase.Ids("crm/people")[0];

        var card = await Crm.People.Where(p => p.Id == first).Select(p => new Card(p.Name, p.CreatedAt)).FirstOrDefaultAsync();
        Assert.Equal(["created_at", "id", "lock_version", "name"], ColumnsRequested());
        var pair = await Crm.People.Where(p => p.Id == first).Select(p => (p.PersonFirstName, p.PersonLastName)).FirstOrDefaultAsync();
        Assert.Equal(["id", "lock_version", "person_first_name", "person_last_name"], ColumnsRequested());

        Assert.NotNull(card);
        Assert.Equal(Stored(first, "name"), card.Name);
        Assert.Equal((await Crm.People.FindAsync(first))!.CreatedAt, card.Created);
        Assert.NotNull(card.Created);
        Assert.Equal((Stored(first, "person_first_name"), Stored(first, "person_last_name")), pair);
    }

    [Fact]
    public async Task AProjectionStreamsWithAwaitForeachAndKeepsTheQuerysFilter()
    {
        var projection = Crm.People.Where(p => p.PersonLastName.StartsWith("G")).Select(p => new { p.Id, Last = p.PersonLastName });
        var seen = 0;
        await foreach (var row in projection)
        {
            Assert.StartsWith("G", row.Last, StringComparison.Ordinal);
            seen++;
        }

        Assert.Equal(Emu.DefaultDatabase.Ids("crm/people").Count(id => Stored(id, "person_last_name")!.StartsWith('G')), seen);
        Assert.Equal(["person_last_name"], projection.Columns); // what it reads; id and lock_version go on the wire too
        Assert.Matches("_select_columns(%5B%5D|\\[\\])=person_last_name", projection.ToString());
    }
}
