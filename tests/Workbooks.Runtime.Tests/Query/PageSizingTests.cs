using System.Globalization;
using Workbooks.Emulator;
using Workbooks.Filters;
using Workbooks.Records;
using Workbooks.Query;

namespace Workbooks.Runtime.Tests.Query;

/// <summary>
/// How big the pages of a stream are: a query without <c>PageSize</c> starts at the guide's 100 and grows toward about
/// 1 MB a response; a page shorter than asked for ends a stream only when it cannot be the service's own limit.
/// </summary>
public sealed class PageSizingTests
{
    private static async Task<(WorkbooksEmulator Emulator, WorkbooksSession Session)> StartAsync(int people, int serviceLimit = 10_000, int? maxPageSize = null)
    {
        var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = people, OrganisationCount = 5, OtherRecordCount = 1, MaxPageSize = serviceLimit });
        var options = new WorkbooksOptions { Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true };
        if (maxPageSize is { } max)
            options.MaxPageSize = max;
        return (emulator, await WorkbooksSession.ConnectAsync(options));
    }

    private static int[] Limits(WorkbooksEmulator emulator, int from) => emulator.Control.Requests.Skip(from)
        .Where(r => r.Path == "/crm/people.api")
        .Select(r => int.Parse(r.Parameter("_limit")!, CultureInfo.InvariantCulture)).ToArray();

    private static async Task<List<long>> ReadIdsAsync(WorkbooksQuery<WorkbooksRecord, RecordFields> records)
    {
        var ids = new List<long>();
        await foreach (var record in records)
            ids.Add(record.Id);
        return ids;
    }

    [Fact]
    public async Task AStreamWithoutAPageSizeStartsAtTheGuidesHundredAndGrowsToFewerRoundTrips()
    {
        var (emulator, session) = await StartAsync(3000);
        await using var _ = emulator;
        await using var __ = session;
        var before = emulator.Control.Requests.Count;

        var ids = await ReadIdsAsync(session.Records("crm/people"));

        Assert.Equal(3000, ids.Count);
        Assert.Equal(ids.Order(), ids); // keyset by id, in order, each once
        var limits = Limits(emulator, before);
        Assert.Equal(100, limits[0]);
        Assert.True(limits[1] > 100 && limits[1] <= 400, string.Join(",", limits)); // at most four times the page before
        Assert.True(limits.Max() is > 300 and <= 1000, string.Join(",", limits)); // people are ~2 KB: a few hundred make 1 MB
        Assert.True(limits.Length < 15, $"{limits.Length} requests for 3,000 people: {string.Join(",", limits)}");
    }

    [Fact]
    public async Task MaxPageSizeOfAHundredKeepsEveryPageAtTheGuidesDefault()
    {
        var (emulator, session) = await StartAsync(450, maxPageSize: 100);
        await using var _ = emulator;
        await using var __ = session;
        var before = emulator.Control.Requests.Count;

        var ids = await ReadIdsAsync(session.Records("crm/people"));

        Assert.Equal(450, ids.Distinct().Count());
        Assert.Equal([100, 100, 100, 100, 100], Limits(emulator, before)); // the last page (50) is shorter than 100: the end
    }

    [Fact]
    public async Task AFixedPageSizeIsKept()
    {
        var (emulator, session) = await StartAsync(700);
        await using var _ = emulator;
        await using var __ = session;
        var before = emulator.Control.Requests.Count;

        var ids = await ReadIdsAsync(session.Records("crm/people").PageSize(250));

        Assert.Equal(700, ids.Distinct().Count());
        // 250, 250, then 200: shorter than asked, and no page of 250 was known to be honoured until the first came full.
        Assert.Equal([250, 250, 250], Limits(emulator, before));
    }

    [Theory]
    [InlineData(1000, 250)] // a fixed size above the service's limit
    [InlineData(null, 150)] // the adaptive size growing past it
    public async Task AServiceThatGivesFewerRecordsThanAskedLosesNothing(int? pageSize, int serviceLimit)
    {
        var (emulator, session) = await StartAsync(1234, serviceLimit);
        await using var _ = emulator;
        await using var __ = session;
        WorkbooksQuery<WorkbooksRecord, RecordFields> query = session.Records("crm/people");
        if (pageSize is { } size)
            query = query.PageSize(size);
        var before = emulator.Control.Requests.Count;

        var ids = await ReadIdsAsync(query);

        Assert.Equal(1234, ids.Count);
        Assert.Equal(1234, ids.Distinct().Count());
        var limits = Limits(emulator, before);
        // Once a short page was followed by more records, the stream asks for no more than the service gives.
        Assert.All(limits.SkipWhile(l => l <= serviceLimit).Skip(2), l => Assert.True(l <= serviceLimit, string.Join(",", limits)));
    }

    [Fact]
    public async Task AShortPageAfterTheServiceHasFilledOneAsLargeEndsTheStreamWithoutAnotherRequest()
    {
        var (emulator, session) = await StartAsync(1000);
        await using var _ = emulator;
        await using var __ = session;
        await ReadIdsAsync(session.Records("crm/people").PageSize(300)); // 300, 300, 300, 100 (short): then one more to be sure
        var before = emulator.Control.Requests.Count;

        var ids = await ReadIdsAsync(session.Records("crm/people").PageSize(300));

        Assert.Equal(1000, ids.Count);
        Assert.Equal([300, 300, 300, 300], Limits(emulator, before)); // the session knows pages of 300 come full
    }

    [Fact]
    public void WideRecordsShrinkThePagesAndNarrowOnesGrowThemAtMostFourfold()
    {
        var sizing = PageSizing.Adaptive(1000);
        Assert.Equal(100, sizing.Next);
        sizing.Observe(100, 100 * 1024); // 1 KB a record: 1,024 would make 1 MB, but at most 4 × 100
        Assert.Equal(400, sizing.Next);
        sizing.Observe(400, 400 * 1024);
        Assert.Equal(1000, sizing.Next); // and at most MaxPageSize
        sizing.Observe(1000, 1000L * 512 * 1024); // e-mails of half a megabyte
        Assert.Equal(PageSizing.SmallestPage, sizing.Next);

        var capped = PageSizing.Adaptive(1000);
        capped.CapAt(150);
        capped.Observe(100, 100 * 100);
        Assert.Equal(150, capped.Next);

        var fixedSize = PageSizing.Fixed(250);
        fixedSize.Observe(250, 250L * 1024 * 1024);
        Assert.Equal(250, fixedSize.Next);
    }
}
