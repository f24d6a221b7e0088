using Sample.Crm;
using Workbooks.Emulator;
using Workbooks.EndToEnd.Tests.TestSupport;

namespace Workbooks.EndToEnd.Tests;

/// <summary>Records of several types created together, in the order their links need.</summary>
public sealed class UnitOfWorkTests() : EmulatorClientTests(people: 5, organisations: 5)
{
    [Fact]
    public async Task AnOrganisationAndThePeopleItEmploysAreCreatedInOneSubmit()
    {
        var work = Crm.UnitOfWork();
        var ada = new Person { PersonFirstName = "Ada", PersonLastName = "Lovelace" };
        var charles = new Person { PersonFirstName = "Charles", PersonLastName = "Babbage" };
        var engine = new Organisation { Name = "Analytical Engines Ltd" };
        ada.Employer = engine;          // before the organisation has an id
        charles.Employer = engine;
        Assert.Null(ada.EmployerLink);  // no id to link to yet
        work.Create(Crm.People, ada);  // added first, sent after what it refers to
        work.Create(Crm.Organisations, engine);
        work.Create(Crm.People, charles);
        Emu.Control.ClearRequests();

        var result = await work.SubmitAsync();

        Assert.True(result.Success);
        Assert.Equal([0, 1, 2], result.Results.Select(r => r.Index));
        Assert.All(result.Results, r => Assert.Equal(ChangeOutcome.Applied, r.Outcome));
        Assert.True(engine.Id > 0 && ada.Id > 0 && charles.Id > 0);
        Assert.Equal(engine.Id, ada.EmployerLink);
        Assert.Equal(
            ["step 1: crm/organisations, 1 record (#1): 1 request, one transaction", "step 2: crm/people, 2 records (#0, #2): 1 request, one transaction"],
            result.Steps.Select(s => s.ToString()));
        var changes = Emu.Control.Requests.Where(r => r.Method == "PUT" || r.Parameters.Any(p => p.Key == "__method[]")).ToList();
        Assert.Equal(["/crm/organisations.api", "/crm/people.api"], changes.Select(r => r.Path));
        Assert.Equal([engine.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), engine.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            changes[1].ParameterValues("employer_link[]")); // the second request carries the first's new id
        Assert.Equal(engine.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Emu.DefaultDatabase.Get("crm/people", ada.Id)!["employer_link"]);
        Assert.Equal("Analytical Engines Ltd", (await Crm.People.FindAsync(charles.Id))!.EmployerName); // as the service reads it back
    }

    [Fact]
    public async Task WhenTheFirstStepFailsTheRecordsThatNeedItAreNotSentAndTheResultSaysSo()
    {
        var work = Crm.UnitOfWork();
        var engine = new Organisation { Name = "Never Ltd" };
        var ada = new Person { PersonFirstName = "Ada", PersonLastName = "Lovelace", Employer = engine };
        work.Create(Crm.Organisations, engine);
        work.Create(Crm.People, ada);
        var people = Emu.DefaultDatabase.Count("crm/people");
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = "organisations", Method = "PUT", Times = 10 });

        var e = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => work.SubmitAsync());

        Assert.StartsWith("The unit of work stopped at step 1 of 2 (crm/organisations): 0 of 2 records were applied", e.Message, StringComparison.Ordinal);
        Assert.Equal(ChangeOutcome.NotAttempted, e.Result.Results[1].Outcome);
        Assert.Equal("step 1 failed, so the steps after it were not sent", Assert.Single(e.Result.Results[1].Messages).Body);
        Assert.Equal(people, Emu.DefaultDatabase.Count("crm/people"));
    }

    [Fact]
    public async Task AnUnknownOutcomeIsSettledLaterByReadingBack()
    {
        await using var impatient = await WorkbooksSession.ConnectAsync(new WorkbooksOptions
        {
            Service = Emu.BaseAddress, ApiKey = Emu.ApiKey, AllowInsecureLoopback = true, Timeout = TimeSpan.FromMilliseconds(700),
        });
        var crm = new SampleCrm(impatient);
        var work = crm.UnitOfWork();
        var engine = work.Create(crm.Organisations, new Organisation { Name = "Slow Post Ltd", CreatedThroughReference = "slow-post" });
        work.Create(crm.People, new Person { PersonLastName = "Waiting", Employer = engine });
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.LateDelivery) { PathContains = "organisations", Method = "PUT", Delay = TimeSpan.FromMilliseconds(1500) });

        var e = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => work.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.Zero }));
        Assert.Equal([ChangeOutcome.Unknown, ChangeOutcome.NotAttempted], e.Result.Results.Select(r => r.Outcome));

        await Task.Delay(TimeSpan.FromMilliseconds(2000));
        Assert.Equal(1, await work.SettleAsync(e.Result));

        Assert.Equal(ChangeOutcome.Applied, e.Result.Results[0].Outcome);
        Assert.True(engine.Id > 0);
        Assert.Equal("Slow Post Ltd", Emu.DefaultDatabase.Get("crm/organisations", engine.Id)!["name"]);
    }

    [Fact]
    public async Task ACycleOrALinkToARecordOutsideTheUnitIsRefusedBeforeAnythingIsSent()
    {
        var a = new WorkbooksRecord();
        var b = new WorkbooksRecord();
        a.Set("name", "A");
        b.Set("name", "B");
        a.SetReference("parent_organisation_id", b);
        b.SetReference("parent_organisation_id", a);
        var organisations = Session.Records("crm/organisations");
        var cycle = new WorkbooksUnitOfWork(Session);
        cycle.Create(organisations, a);
        cycle.Create(organisations, b);
        var outside = Crm.UnitOfWork();
        outside.Create(Crm.People, new Person { PersonLastName = "Orphan", Employer = new Organisation { Name = "Not in the unit" } });
        Emu.Control.ClearRequests();

        var loop = await Assert.ThrowsAsync<InvalidOperationException>(() => cycle.SubmitAsync());
        var orphan = await Assert.ThrowsAsync<InvalidOperationException>(() => outside.SubmitAsync());
        var alone = Crm.People.Changes();
        alone.Create(new Person { PersonLastName = "Alone", Employer = new Organisation { Name = "Later Ltd" } });
        var single = await Assert.ThrowsAsync<InvalidOperationException>(() => alone.SubmitAsync());

        Assert.StartsWith("The records refer to each other in a cycle (#0 (create at crm/organisations) → #1 (create at crm/organisations) → #0", loop.Message, StringComparison.Ordinal);
        Assert.StartsWith("#0 (create at crm/people) refers ('employer_link') to a record that is neither created nor created by this unit of work", orphan.Message, StringComparison.Ordinal);
        Assert.StartsWith("Field 'employer_link' refers to a record that is not created yet", single.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Emu.Control.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task AUnitThatNeedsSeveralStepsCannotPromiseOneTransaction()
    {
        var work = Crm.UnitOfWork();
        var engine = work.Create(Crm.Organisations, new Organisation { Name = "Two Steps Ltd" });
        work.Create(Crm.People, new Person { PersonLastName = "Step", Employer = engine });
        Emu.Control.ClearRequests();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => work.SubmitAsync(new ChangeSetOptions { RequireSingleTransaction = true }));

        Assert.StartsWith("The unit of work takes 2 steps", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Emu.Control.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task ALinkSetBeforeItsTargetWasCreatedElsewhereIsFilledInLater()
    {
        var engine = new Organisation { Name = "Created Elsewhere Ltd" };
        var ada = new Person { PersonLastName = "Later", Employer = engine };   // engine has no id yet
        var first = Crm.Organisations.Changes();
        first.Create(engine);
        await first.SubmitAsync();                                              // now it has one

        var work = Crm.UnitOfWork();
        work.Create(Crm.People, ada);
        var result = await work.SubmitAsync();

        Assert.True(result.Success);
        Assert.Equal(engine.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Emu.DefaultDatabase.Get("crm/people", ada.Id)!["employer_link"]);
    }

    [Fact]
    public async Task ALinkToARecordThatHasAnIdIsItsIdAtOnce()
    {
        var existing = (await Crm.Organisations.FirstOrDefaultAsync())!;
        var person = new Person { PersonLastName = "Known", Employer = existing };

        Assert.Equal(existing.Id, person.EmployerLink);
        person.Employer = null;                                        // clears the link
        Assert.Null(person.EmployerLink);
        person.Employer = existing;
        var batch = Crm.People.Changes();
        batch.Create(person);
        await batch.SubmitAsync();
        Assert.Equal(existing.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Emu.DefaultDatabase.Get("crm/people", person.Id)!["employer_link"]);
    }
}
