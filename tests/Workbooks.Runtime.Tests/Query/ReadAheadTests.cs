using Workbooks.Emulator;

namespace Workbooks.Runtime.Tests.Query;

/// <summary>One page read ahead: the next page is on its way while the caller takes this one's records, never two.</summary>
public sealed class ReadAheadTests
{
    [Fact]
    public async Task TheNextPageIsRequestedWhileTheCallerTakesThisOneAndNoFurther()
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 500, OrganisationCount = 5, OtherRecordCount = 1 });
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true });
        int PageRequests() => emulator.Control.Requests.Count(r => r.Path == "/crm/people.api");
        var before = PageRequests();

        var seen = new List<long>();
        await using (var records = session.Records("crm/people").OrderBy("person_last_name").PageSize(100).GetAsyncEnumerator())
        {
            Assert.True(await records.MoveNextAsync());
            seen.Add(records.Current.Id);
            // The caller holds the first record of page 1: page 2 arrives without being asked for.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (PageRequests() - before < 2 && waited.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(20);
            Assert.Equal(2, PageRequests() - before);
            await Task.Delay(200);
            Assert.Equal(2, PageRequests() - before); // one page ahead, not more

            while (await records.MoveNextAsync())
                seen.Add(records.Current.Id);
        }

        Assert.Equal(500, seen.Count);
        Assert.Equal(500, seen.Distinct().Count());
        Assert.Equal(6, PageRequests() - before); // 5 full pages, then the empty one that ends the read
    }

    [Fact]
    public async Task ACallerWhoStopsCancelsThePageReadAheadWithoutAnError()
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 300, OrganisationCount = 5, OtherRecordCount = 1 });
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true });
        emulator.Control.Inject(new EmulatorFault(EmulatorFaultKind.Slow) { PathContains = "crm/people", Method = "GET", Skip = 1, Delay = TimeSpan.FromSeconds(5) });

        var taken = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await foreach (var _ in session.Records("crm/people").PageSize(100))
        {
            if (++taken == 10)
                break;
        }

        Assert.Equal(10, taken);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"stopping waited for the slow page read ahead ({clock.Elapsed})");
    }
}
