using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.EndToEnd.Tests;

/// <summary>What a filter navigates (<c>p.Employer.Name</c>), a record reads back with the same name.</summary>
public sealed class RelatedReadTests : IAsyncLifetime
{
    private WorkbooksEmulator _emu = null!;
    private WorkbooksSession _session = null!;
    private SampleCrm _crm = null!;

    public async Task InitializeAsync()
    {
        _emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 40, OrganisationCount = 10, OtherRecordCount = 1 });
        _session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = _emu.BaseAddress, ApiKey = _emu.ApiKey, AllowInsecureLoopback = true });
        _crm = new SampleCrm(_session);
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _emu.DisposeAsync();
    }

    [Fact]
    public async Task AnAssociationSelectedInTheQueryIsReadBackThroughTheSameMembers()
    {
        _emu.Control.ClearRequests();

        var people = await _crm.People
            .Where(p => p.EmployerLink > 0)
            .SelectFields(p => p.Name, p => p.Employer.Name, p => p.Employer.Id)
            .Take(10)
            .ToListAsync();

        Assert.NotEmpty(people);
        var request = _emu.Control.Requests.Single(r => r.Path == "/crm/people.api");
        Assert.Contains("employer[name]", request.ParameterValues("_select_columns[]"));
        foreach (var person in people)
        {
            var employerId = long.Parse(_emu.DefaultDatabase.Get("crm/people", person.Id)!["employer_link"]!, System.Globalization.CultureInfo.InvariantCulture);
            var employer = _emu.DefaultDatabase.Get("crm/organisations", employerId)!;
            Assert.Equal(employer["name"], person.Employer.Name);
            Assert.Equal(employerId, person.Employer.Id);
            Assert.Null(person.Employer.Industry); // not selected: null, as for the record's own fields
        }
    }

    [Fact]
    public async Task ARelatedRecordIsReadOnlyAndEmptyWhenNothingWasSelectedThroughIt()
    {
        var person = await _crm.People.FirstOrDefaultAsync();

        Assert.NotNull(person);
        Assert.Null(person.Employer.Name);
        Assert.Null(person.Employer.Id);
        Assert.DoesNotContain(typeof(OrganisationRelated).GetProperties(), p => p.CanWrite);
    }
}
