using Workbooks.Emulator;
using Xunit.Abstractions;

namespace Workbooks.Runtime.Tests.Query;

/// <summary>Parallel export (keyset partitions by id range) and bulk import (requests in flight at once), with churn and faults.</summary>
public sealed class ParallelTests(ITestOutputHelper output)
{
    private const string People = "crm/people";
    private const string Organisations = "crm/organisations";

    private static async Task<(WorkbooksEmulator, WorkbooksSession)> StartAsync(int people = 700)
    {
        var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = people, OrganisationCount = 20, OtherRecordCount = 1 });
        var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions
        {
            Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true, RetryDelay = TimeSpan.FromMilliseconds(5), MaxRetryDelay = TimeSpan.FromMilliseconds(20),
        });
        return (emulator, session);
    }

    private static WorkbooksChangeSet Creates(WorkbooksSession session, int count, bool withReferences)
    {
        var changes = session.Changes(Organisations);
        for (var i = 0; i < count; i++)
        {
            var record = new WorkbooksRecord();
            record.Set("name", $"Bulk {i}");
            if (withReferences)
                record.Set("created_through_reference", $"bulk-{i}");
            changes.Create(record);
        }
        return changes;
    }

    private static Dictionary<long, int> Live(WorkbooksEmulator emulator) =>
        emulator.DefaultDatabase.Ids(People).ToDictionary(id => id, id => int.Parse(emulator.DefaultDatabase.Get(People, id)!["lock_version"]!, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task EightPartitionsReadTheSameRecordsAsOneStream()
    {
        var (emulator, session) = await StartAsync();
        await using (emulator)
        await using (session)
        {
            var query = session.Records(People).Where(f => f["person_last_name"].IsNotBlank()).SelectFields("name").PageSize(50);
            var one = (await query.ToListAsync()).Select(r => r.Id).ToArray();
            var parallel = new List<long>();
            await foreach (var record in query.ReadInParallelAsync(8))
                parallel.Add(record.Id);

            Assert.Equal(one.Order(), parallel.Order());
            Assert.True(one.Length > 500);
        }
    }

    [Fact]
    public async Task PartitionsUnderChurnAndDelayingRedirectsReadEachStableRecordExactlyOnce()
    {
        var (emulator, session) = await StartAsync();
        await using (emulator)
        await using (session)
        {
            var before = Live(emulator);
            emulator.Control.Churn = new ConcurrentChurn(People, InsertsPerRequest: 2, DeletesPerRequest: 2) { UpdatesPerRequest = 2, Seed = 3 };
            emulator.Control.Inject(new EmulatorFault(EmulatorFaultKind.DelayingRedirect) { PathContains = People, Method = "GET", Times = 6, Skip = 3 });
            var read = new List<long>();
            await foreach (var record in session.Records(People).PageSize(40).ReadInParallelAsync(8))
                read.Add(record.Id);
            emulator.Control.Churn = null;
            var after = Live(emulator);

            var stable = before.Where(kv => after.TryGetValue(kv.Key, out var v) && v == kv.Value).Select(kv => kv.Key).ToHashSet();
            var counts = read.GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
            var skipped = stable.Count(id => !counts.ContainsKey(id));
            var duplicated = counts.Count(kv => kv.Value > 1);
            output.WriteLine($"{read.Count} read, {stable.Count} stable; skipped {skipped}, duplicated {duplicated}");
            Assert.Equal(0, skipped);
            Assert.Equal(0, duplicated); // ids never change, so no record moves between ranges
        }
    }

    [Fact]
    public async Task AParallelReadRefusesSkipAndTakeAndStopsWhenTheCallerStops()
    {
        var (emulator, session) = await StartAsync();
        await using (emulator)
        await using (session)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await foreach (var _ in session.Records(People).Take(10).ReadInParallelAsync(4)) { }
            });
            var taken = 0;
            await foreach (var _ in session.Records(People).PageSize(20).ReadInParallelAsync(4))
            {
                if (++taken == 30)
                    break;
            }
            Assert.Equal(30, taken);
        }
    }

    [Fact]
    public async Task AThousandCreatesWithEightRequestsInFlightAreEachCreatedOnce()
    {
        var (emulator, session) = await StartAsync(10);
        await using (emulator)
        await using (session)
        {
            var changes = Creates(session, 1000, withReferences: true);

            var result = await changes.SubmitAsync(new ChangeSetOptions { MaxConcurrency = 8 });

            Assert.Equal(10, result.RequestCount);
            Assert.All(result.Results, r => Assert.Equal(ChangeOutcome.Applied, r.Outcome));
            Assert.Equal(1000, result.Results.Select(r => r.Record.Id).Distinct().Count());
            Assert.All(result.Results, r => Assert.Equal($"bulk-{r.Index}", emulator.DefaultDatabase.Get(Organisations, r.Record.Id)!["created_through_reference"]));
        }
    }

    [Fact]
    public async Task AFailureWithRequestsInFlightStartsNoMoreAndReportsEveryRecord()
    {
        var (emulator, session) = await StartAsync(10);
        await using (emulator)
        await using (session)
        {
            var changes = Creates(session, 1000, withReferences: false);
            emulator.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = Organisations, Method = "PUT", Skip = 2 });

            var error = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => changes.SubmitAsync(new ChangeSetOptions { MaxConcurrency = 4, VerifyGracePeriod = TimeSpan.FromMilliseconds(200) }));

            var outcomes = error.Result.Results.GroupBy(r => r.Outcome).ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine(string.Join(", ", outcomes.Select(kv => $"{kv.Key} {kv.Value}")) + $"; {error.Result.RequestCount} requests");
            Assert.Equal(100, outcomes[ChangeOutcome.Unknown]);
            Assert.True(outcomes.GetValueOrDefault(ChangeOutcome.NotAttempted) >= 100, "no request starts after the failure is known");
            var applied = error.Result.Results.Where(r => r.Outcome == ChangeOutcome.Applied).ToArray();
            Assert.Equal(applied.Length, emulator.DefaultDatabase.Ids(Organisations).Count(id => emulator.DefaultDatabase.Get(Organisations, id)!["name"]!.StartsWith("Bulk ", StringComparison.Ordinal)));
            Assert.All(applied, r => Assert.NotNull(emulator.DefaultDatabase.Get(Organisations, r.Record.Id)));
        }
    }
}
