using Sample.Crm;
using Workbooks.Emulator;
using Workbooks.EndToEnd.Tests.TestSupport;

namespace Workbooks.EndToEnd.Tests;

/// <summary>What a filter navigates (<c>p.Employer.Name</c>), a record reads back with the same name.</summary>
public sealed class RelatedReadTests() : EmulatorClientTests(people: 40, organisations: 10)
{
    [Fact]
    public async Task AnAssociationSelectedInTheQueryIsReadBackThroughTheSameMembers()
    {
        Emu.Control.ClearRequests();

        var people = await Crm.People
            .Where(p => p.EmployerLink > 0)
            .SelectFields(p => p.Name, p => p.Employer.Name, p => p.Employer.Id)
            .Take(10)
            .ToListAsync();

        Assert.NotEmpty(people);
        var request = Emu.Control.Requests.Single(r => r.Path == "/crm/people.api");
        Assert.Contains("employer[name]", request.ParameterValues("_select_columns[]"));
        foreach (var person in people)
        {
            var employerId = long.Parse(Emu.DefaultDatabase.Get("crm/people", person.Id)!["employer_link"]!, System.Globalization.CultureInfo.InvariantCulture);
            var employer = Emu.DefaultDatabase.Get("crm/organisations", employerId)!;
            Assert.Equal(employer["name"], person.Employer.Name);
            Assert.Equal(employerId, person.Employer.Id);
            Assert.Null(person.Employer.Industry); // not selected: null, as for the record's own fields
        }
    }

    [Fact]
    public async Task ARelatedRecordIsReadOnlyAndEmptyWhenNothingWasSelectedThroughIt()
    {
        var person = await Crm.People.FirstOrDefaultAsync();

        Assert.NotNull(person);
        Assert.Null(person.Employer.Name);
        Assert.Null(person.Employer.Id);
        Assert.DoesNotContain(typeof(OrganisationRelated).GetProperties(), p => p.CanWrite);
    }
}
