using System.Globalization;
using Workbooks.Emulator;

namespace Workbooks.Runtime.Tests.Records;

/// <summary>
/// Creates are never duplicated, and every failure of a submit says what became of every record: late delivery,
/// drops and 5xx after processing, failures half-way through a change set, all against the emulator over HTTP.
/// </summary>
public sealed class ChangeSetGuaranteeTests : IAsyncLifetime
{
    private const string Path = "crm/organisations";
    private WorkbooksEmulator _emu = null!;
    private WorkbooksSession _session = null!;

    public async Task InitializeAsync()
    {
        _emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 10, OrganisationCount = 10, OtherRecordCount = 1 });
        _session = await ConnectAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A session; the late-delivery tests use one whose timeout is shorter than the delivery delay.</summary>
    private Task<WorkbooksSession> ConnectAsync(TimeSpan timeout) => WorkbooksSession.ConnectAsync(new WorkbooksOptions
    {
        Service = _emu.BaseAddress, ApiKey = _emu.ApiKey, AllowInsecureLoopback = true, Timeout = timeout,
    });

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _emu.DisposeAsync();
    }

    private int Puts() => _emu.Control.Requests.Count(r => r.Method == "PUT" && r.Path == "/" + Path + ".api");

    private int StoredWithReference(string reference) =>
        _emu.DefaultDatabase.Ids(Path).Count(id => _emu.DefaultDatabase.Get(Path, id)!["created_through_reference"] == reference);

    private static WorkbooksRecord New(string name, string? reference, string? refcode = null)
    {
        var record = new WorkbooksRecord();
        record.Set("name", name);
        if (reference is not null) record.Set("created_through_reference", reference);
        if (refcode is not null) record.Set("refcode", refcode);
        return record;
    }

    private WorkbooksChangeSet Creates(int count, string prefix, bool withReferences = true)
    {
        var changes = _session.Changes(Path);
        for (var i = 0; i < count; i++)
            changes.Create(New($"{prefix} {i} Ltd", withReferences ? $"{prefix}-{i}" : null));
        return changes;
    }

    [Fact]
    public async Task CreatesDeliveredAfterTheClientTimedOutAreFoundAndNeverDuplicated()
    {
        await using var impatient = await ConnectAsync(TimeSpan.FromMilliseconds(700));
        var changes = impatient.Changes(Path);
        for (var i = 0; i < 50; i++)
            changes.Create(New($"late {i} Ltd", $"late-{i}"));
        _emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.LateDelivery) { PathContains = Path, Method = "PUT", Delay = TimeSpan.FromMilliseconds(1500) });
        var before = Puts();

        var result = await changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.FromSeconds(8) });

        // The late request is logged as its (unheard) response starts, which can be just after verification has
        // already read its records back: wait for the log, then count.
        for (var waited = 0; Puts() - before < 1 && waited < 5000; waited += 50)
            await Task.Delay(50);
        Assert.Equal(1, Puts() - before);
        Assert.All(result.Results, r => Assert.Equal(ChangeOutcome.Applied, r.Outcome));
        Assert.All(result.Results, r => Assert.True(r.Verified));
        var duplicated = Enumerable.Range(0, 50).Count(i => StoredWithReference($"late-{i}") != 1);
        Assert.Equal(0, duplicated);
        // The caller's objects read as the service stored them: ids, and the values they were created with.
        Assert.All(result.Results, r =>
        {
            Assert.True(r.Record.Id > 0);
            Assert.Equal($"late {r.Index} Ltd", r.Record.GetString("name"));
            Assert.Equal(_emu.DefaultDatabase.Get(Path, r.Record.Id)!["name"], r.Record.GetString("name"));
        });
    }

    [Fact]
    public async Task ACreateNotYetDeliveredWhenTheGracePeriodEndsIsUnknownAndCanBeSettledLater()
    {
        await using var impatient = await ConnectAsync(TimeSpan.FromMilliseconds(700));
        var changes = impatient.Changes(Path);
        var record = changes.Create(New("Settled Later Ltd", "settle-1"));
        _emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.LateDelivery) { PathContains = Path, Method = "PUT", Delay = TimeSpan.FromMilliseconds(2000) });

        var e = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.Zero }));
        Assert.Equal(ChangeOutcome.Unknown, e.Result.Results[0].Outcome);
        Assert.Equal(0, StoredWithReference("settle-1"));

        await Task.Delay(TimeSpan.FromMilliseconds(2500));
        Assert.Equal(1, await changes.SettleAsync(e.Result));

        Assert.Equal(ChangeOutcome.Applied, e.Result.Results[0].Outcome);
        Assert.Equal(1, StoredWithReference("settle-1"));
        Assert.Equal(_emu.DefaultDatabase.Ids(Path).Single(id => _emu.DefaultDatabase.Get(Path, id)!["created_through_reference"] == "settle-1"), record.Id);
    }

    [Theory]
    [InlineData(EmulatorFaultKind.DropConnectionAfterProcessing)]
    [InlineData(EmulatorFaultKind.ServerErrorAfterProcessing)]
    [InlineData(EmulatorFaultKind.TruncateResponse)]
    public async Task ChunksAppliedButAnsweredBadlyAreFoundAndNotDuplicated(EmulatorFaultKind fault)
    {
        var changes = Creates(150, fault.ToString());
        _emu.Control.Inject(new EmulatorFault(fault) { PathContains = Path, Method = "PUT", Skip = 1 });
        var before = Puts();

        var result = await changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.FromSeconds(2) });

        // Two requests sent, none again (the emulator logs a request as its answer starts, so a dropped one may be missing there).
        Assert.Equal(2, result.RequestCount);
        Assert.InRange(Puts() - before, fault == EmulatorFaultKind.DropConnectionAfterProcessing ? 1 : 2, 2);
        Assert.True(result.Success);
        Assert.Equal(50, result.Results.Count(r => r.Verified));
        Assert.Equal(0, Enumerable.Range(0, 150).Count(i => StoredWithReference($"{fault}-{i}") != 1));
    }

    [Fact]
    public async Task A5xxOnTheThirdRequestCarriesEveryRecordsOutcomeAndTheCommittedIds()
    {
        var changes = Creates(1000, "five", withReferences: false);
        _emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = Path, Method = "PUT", Skip = 2 });
        var before = Puts();

        var e = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => changes.SubmitAsync(new ChangeSetOptions { VerifyGracePeriod = TimeSpan.FromMilliseconds(200) }));

        Assert.Equal(3, Puts() - before);
        Assert.IsType<WorkbooksServiceException>(e.InnerException);
        var outcomes = e.Result.Results.GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(200, outcomes[ChangeOutcome.Applied]);
        Assert.Equal(100, outcomes[ChangeOutcome.Unknown]); // answered 5xx: the service may have committed them
        Assert.Equal(700, outcomes[ChangeOutcome.NotAttempted]);
        Assert.All(e.Result.Results.Take(200), r => Assert.NotNull(_emu.DefaultDatabase.Get(Path, r.Record.Id)));
        Assert.Contains("Applied 200", e.Message, StringComparison.Ordinal);
        Assert.Contains("WorkbooksServiceException", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedRecordIsNamedWithItsCauseBeforeTheRecordsRolledBackWithIt()
    {
        var existing = _emu.DefaultDatabase.Get(Path, _emu.DefaultDatabase.Ids(Path)[0])!;
        var changes = _session.Changes(Path);
        for (var i = 0; i < 150; i++)
            changes.Create(New($"refcode {i} Ltd", null, i == 120 ? existing["refcode"] : $"R-{i.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"));

        var e = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => changes.SubmitAsync());

        Assert.Null(e.InnerException);
        Assert.Equal(100, e.Result.Results.Count(r => r.Outcome == ChangeOutcome.Applied));
        Assert.Equal(ChangeOutcome.Failed, e.Result.Results[120].Outcome);
        Assert.Equal(49, e.Result.Results.Count(r => r.Outcome == ChangeOutcome.RolledBack));
        Assert.StartsWith($"50 of 150 changes to {Path} were not applied: create #120 (id 0): Failed: refcode: '{existing["refcode"]}' is already used", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("Outcomes: Applied 100, Failed 1, RolledBack 49. Each request of the change set is one transaction: those before the failure stay committed.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllOrNothingRefusesAChangeSetThatNeedsTwoRequestsBeforeSendingAnything()
    {
        var changes = Creates(150, "single");
        var before = Puts();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => changes.SubmitAsync(new ChangeSetOptions { RequireSingleTransaction = true }));

        Assert.Contains("2 requests", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, Puts() - before);
        var one = Creates(100, "single-ok");
        Assert.True((await one.SubmitAsync(new ChangeSetOptions { RequireSingleTransaction = true })).Success);
    }
}
