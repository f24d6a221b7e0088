using Workbooks.Emulator;
using Workbooks.Runtime.Tests.TestSupport;
using static Workbooks.Filters.WorkbooksFilter;

namespace Workbooks.Runtime.Tests.Records;

public sealed class ChangeSetEmulator() : EmulatorFixture(people: 100, organisations: 100, others: 5);

/// <remarks>
/// One emulator and session for the class: each test creates records of its own (found by a name or reference no other
/// test uses) or changes an existing one it reads first, counts only its own requests, and its injected fault is
/// consumed by its own request. A test that cannot share starts its own emulator.
/// </remarks>
public sealed class ChangeSetTests(ChangeSetEmulator fixture) : SharedEmulatorTests<ChangeSetEmulator>(fixture)
{
    private static WorkbooksRecord NewOrganisation(string name, string? reference = null)
    {
        var record = new WorkbooksRecord();
        record.Set("name", name);
        if (reference is not null) record.Set("created_through_reference", reference);
        return record;
    }

    private async Task<WorkbooksRecord> ReadAsync(long id) =>
        (await Session.Records("crm/organisations").Where(Field("id").Equal(id)).ToListAsync()).Single();

    private int PutRequests() => Emu.Control.Requests.Count(r => r.Method == "PUT" && r.Path == "/crm/organisations.api");

    [Fact]
    public async Task TwoHundredFiftyCreatesGoAsThreeRequestsAndEveryRecordGetsItsId()
    {
        var changes = Session.Changes("crm/organisations");
        var records = Enumerable.Range(0, 250).Select(i => changes.Create(NewOrganisation($"Bulk {i}"))).ToArray();
        var before = PutRequests();

        var result = await changes.SubmitAsync();

        Assert.Equal(3, result.RequestCount);
        Assert.Equal(3, PutRequests() - before);
        Assert.True(result.Success);
        Assert.All(records, r => Assert.True(r.Id > 0));
        Assert.Equal(250, records.Select(r => r.Id).Distinct().Count());
        Assert.Equal("Bulk 249", Emu.DefaultDatabase.Get("crm/organisations", records[249].Id)!["name"]);
        Assert.Empty(records[0].ChangedFields);
    }

    [Fact]
    public async Task CreateUpdateAndDeleteInOneSetOnlySendDirtyFields()
    {
        var existing = await ReadAsync(Emu.DefaultDatabase.Ids("crm/organisations")[0]);
        var stale = await ReadAsync(Emu.DefaultDatabase.Ids("crm/organisations")[1]);
        var lockVersion = existing.LockVersion;
        existing.Set("organisation_num_employees", 250L);

        var changes = Session.Changes("crm/organisations");
        var created = changes.Create(NewOrganisation("Ada Ltd"));
        changes.Update(existing);
        changes.Delete(stale);
        var result = await changes.SubmitAsync();

        Assert.True(result.Success);
        Assert.Equal(1, result.RequestCount);
        Assert.True(created.Id > 0);
        Assert.Equal(lockVersion + 1, existing.LockVersion);
        Assert.Equal(250, existing.GetInt64("organisation_num_employees"));
        Assert.Equal("250", Emu.DefaultDatabase.Get("crm/organisations", existing.Id)!["organisation_num_employees"]);
        Assert.DoesNotContain(stale.Id, Emu.DefaultDatabase.Ids("crm/organisations"));
        var sent = Emu.Control.Requests.Last(r => r.Method == "PUT");
        Assert.DoesNotContain(sent.Parameters, p => p.Key == "website[]"); // untouched fields are not sent
    }

    [Fact]
    public async Task AStaleLockVersionSurfacesAsAConcurrencyErrorCarryingTheRecord()
    {
        var record = await ReadAsync(Emu.DefaultDatabase.Ids("crm/organisations")[2]);
        Emu.DefaultDatabase.Update("crm/organisations", record.Id, new Dictionary<string, string?> { ["website"] = "www.elsewhere.example" });
        record.Set("name", "Mine");
        var changes = Session.Changes("crm/organisations");
        changes.Update(record);

        var e = await Assert.ThrowsAsync<WorkbooksConcurrencyException>(() => changes.SubmitAsync());
        Assert.Same(record, Assert.Single(e.ConflictingRecords));
        Assert.Contains("already been updated elsewhere", e.Message, StringComparison.Ordinal);
        Assert.Contains("name", record.ChangedFields); // nothing lost: the change is still pending
    }

    [Fact]
    public async Task AFailedObjectIsNamedWithItsFieldErrorsAndTheOthersAreRolledBack()
    {
        await using var own = await UseOwnEmulatorAsync(); // its own: it counts organisations, which the other tests create
        var changes = Session.Changes("crm/organisations");
        changes.Create(NewOrganisation("Fine Ltd"));
        var bad = new WorkbooksRecord();
        bad.Set("website", "www.nameless.example");
        changes.Create(bad);
        var before = Emu.DefaultDatabase.Count("crm/organisations");

        var e = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => changes.SubmitAsync());
        var failed = e.Result.Results[1];
        Assert.Equal(ChangeOutcome.Failed, failed.Outcome);
        Assert.Equal("can't be blank", failed.Errors["name"].Single());
        Assert.Equal(ChangeOutcome.RolledBack, e.Result.Results[0].Outcome);
        Assert.Equal(before, Emu.DefaultDatabase.Count("crm/organisations"));
        Assert.Contains("create #1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PerObjectTransactionsApplyTheGoodObjects()
    {
        var changes = Session.Changes("crm/organisations");
        var good = changes.Create(NewOrganisation("Fine Per Object Ltd"));
        changes.Create(new WorkbooksRecord());
        var result = await changes.SubmitAsync(new ChangeSetOptions { PerObjectTransactions = true, ThrowOnFailure = false });
        Assert.Equal([ChangeOutcome.Applied, ChangeOutcome.Failed], result.Results.Select(r => r.Outcome));
        Assert.True(good.Id > 0);
    }

    [Fact]
    public async Task AChangeCutOffBeforeTheServiceSawItIsNotResentAndEndsUnknown()
    {
        // From the client, a connection cut after sending cannot be told from a request still on its way: it is read
        // back for the grace period, and never sent again.
        var changes = Session.Changes("crm/organisations");
        changes.Create(NewOrganisation("Dropped Before Ltd", "ext-before-1"));
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.DropConnection) { PathContains = "crm/organisations", Method = "PUT" });
        var before = PutRequests();

        var e = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.FromMilliseconds(300) }));

        Assert.Equal(ChangeOutcome.Unknown, e.Result.Results[0].Outcome);
        Assert.IsType<WorkbooksTransportException>(e.InnerException);
        Assert.Equal(1, PutRequests() - before);
        Assert.DoesNotContain(Emu.DefaultDatabase.Ids("crm/organisations"), id => Emu.DefaultDatabase.Get("crm/organisations", id)!["created_through_reference"] == "ext-before-1");
        Assert.Equal(0, await changes.SettleAsync(e.Result));
    }

    [Fact]
    public async Task ACreateAppliedBeforeTheConnectionDroppedIsFoundAndNotDuplicated()
    {
        var changes = Session.Changes("crm/organisations");
        var record = changes.Create(NewOrganisation("Dropped After Ltd", "ext-after-1"));
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.DropConnectionAfterProcessing) { PathContains = "crm/organisations", Method = "PUT" });

        var result = await changes.SubmitAsync();

        Assert.True(result.Success);
        Assert.True(result.Results[0].Verified);
        var matching = Emu.DefaultDatabase.Ids("crm/organisations").Where(id => Emu.DefaultDatabase.Get("crm/organisations", id)!["created_through_reference"] == "ext-after-1").ToArray();
        Assert.Equal(record.Id, Assert.Single(matching));
    }

    [Fact]
    public async Task ACreateThatCannotBeVerifiedIsReportedUnknownAndNeverResent()
    {
        var changes = Session.Changes("crm/organisations");
        changes.Create(NewOrganisation("Unverifiable Ltd"));
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.TruncateResponse) { PathContains = "crm/organisations", Method = "PUT" });
        var before = PutRequests();

        var e = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.FromMilliseconds(300) }));

        Assert.Equal(ChangeOutcome.Unknown, e.Result.Results[0].Outcome);
        Assert.Equal(1, PutRequests() - before);
        Assert.Equal(1, Emu.DefaultDatabase.Ids("crm/organisations").Count(id => Emu.DefaultDatabase.Get("crm/organisations", id)!["name"] == "Unverifiable Ltd"));
    }

    [Fact]
    public async Task AnUpdateWhoseAnswerWasLostIsVerifiedByItsLockVersion()
    {
        var record = await ReadAsync(Emu.DefaultDatabase.Ids("crm/organisations")[3]);
        var lockVersion = record.LockVersion;
        record.Set("website", "www.verified.example");
        var changes = Session.Changes("crm/organisations");
        changes.Update(record);
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.TruncateResponse) { PathContains = "crm/organisations", Method = "PUT" });

        var result = await changes.SubmitAsync();

        Assert.True(result.Success);
        Assert.Equal(lockVersion + 1, record.LockVersion);
        Assert.Equal("www.verified.example", Emu.DefaultDatabase.Get("crm/organisations", record.Id)!["website"]);
    }

    [Fact]
    public async Task NullsClearFieldsAndValuesAreFormattedPerDatatype()
    {
        var task = new WorkbooksRecord();
        task.Set("name", "Typed values");
        task.Set("due_date", new DateOnly(2010, 5, 2));
        task.Set("reminder_datetime", new DateTimeOffset(2029, 12, 24, 9, 0, 0, TimeSpan.Zero));
        task.Set("reminder_enabled", true);
        task.Set("description", (string?)null);
        var changes = Session.Changes("activity/tasks");
        changes.Create(task);
        await changes.SubmitAsync();

        var stored = Emu.DefaultDatabase.Get("activity/tasks", task.Id)!;
        Assert.Equal(" 2 May 2010", stored["due_date"]);
        Assert.Equal("Mon Dec 24 09:00:00 UTC 2029", stored["reminder_datetime"]);
        Assert.Equal("true", stored["reminder_enabled"]);
        Assert.Null(stored["description"]);
        Assert.Equal(new DateOnly(2010, 5, 2), task.GetDate("due_date"));
    }
}
