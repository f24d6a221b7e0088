using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

/// <remarks>
/// Each test starts an emulator of its own: it runs tasks to completion by moving the fake clock, needs its own
/// engagement options, or checks every request the service saw.
/// </remarks>
public sealed class QuickStartTests
{
    [Fact]
    public async Task QuickStartCreatesATaskWaitsForItAndReadsEngagersAndContacts()
    {
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient();

        // 1. Create a collection task.
        var task = await client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.Comment | EngagementDataTypes.Reaction, EngagementEmulatorOptions.DefaultWorkspaceId);
        Assert.Equal(EngagementTaskState.Pending, task.State);
        Assert.Equal("PENDING", task.RawStatus);
        Assert.False(string.IsNullOrEmpty(task.TaskId));

        // 2. Wait for completion, reporting progress.
        var progress = new CollectingProgress();
        var workbook = await h.AdvanceUntilDoneAsync(client.WaitForCompletionAsync(task.TaskId, progress), TimeSpan.FromSeconds(1));
        var states = progress.Items.Select(s => s.State).Distinct().ToList();
        Assert.Equal([EngagementTaskState.Pending, EngagementTaskState.Started, EngagementTaskState.Success], states);
        Assert.Equal(150, workbook.ItemsCollected);
        Assert.NotNull(workbook.CompletedAt);
        Assert.Equal(workbook.CompletedAt!.Value.AddHours(12), workbook.ExpiresAt);
        Assert.Equal(workbook.ExpiresAt, progress.Items[^1].ExpiresAt);

        // 3. Retrieve the data.
        var engagers = await client.GetEngagersAsync(workbook.WorkbookId).ToListAsync();
        var contacts = await client.GetContactsAsync(workbook).ToListAsync();
        Assert.Equal(150, engagers.Count);
        Assert.All(engagers, e => Assert.NotEqual(EngagerKind.Unknown, e.Kind));
        Assert.Contains(engagers, e => e.Kind == EngagerKind.Comment);
        Assert.Contains(engagers, e => e.Kind == EngagerKind.Reaction);
        Assert.NotEmpty(contacts);

        // The requests carried the documented page sizes and the API key.
        Assert.Contains(h.Engagement.Requests, r => r.Path.EndsWith("/contacts", StringComparison.Ordinal) && r.QueryString == "?page=1&page_size=500");
        Assert.Contains(h.Engagement.Requests, r => r.Path == $"/api/engagers/workbook/{workbook.WorkbookId}" && r.QueryString == "?page=1&page_size=100");
        Assert.All(h.Engagement.Requests, r => Assert.Equal(EngagementEmulatorOptions.DefaultApiKey, r.ApiKey));
    }

    [Fact]
    public async Task CreateAndWaitReturnsTheWorkbookForTheFeedUpdateUrlFormat()
    {
        await using var h = await Harness.StartAsync(o => o.EngagersPerPost = 20);
        var client = h.CreateClient();

        var workbook = await h.AdvanceUntilDoneAsync(
            client.CreateAndWaitAsync("https://www.social.com/feed/update/urn:li:activity:7654321", EngagementDataTypes.All, EngagementEmulatorOptions.SecondWorkspaceId),
            TimeSpan.FromSeconds(1));

        Assert.Equal(20, workbook.ItemsCollected);
        Assert.Equal(20, (await client.GetEngagersAsync(workbook.WorkbookId).ToListAsync()).Count);
    }

    [Fact]
    public async Task LowercaseStatusesFromTheDocumentationExamplesAreUnderstoodAndRunningCountsAsStarted()
    {
        await using var h = await Harness.StartAsync(o => o.LowercaseStatuses = true);
        var client = h.CreateClient();
        var progress = new CollectingProgress();

        var workbook = await h.AdvanceUntilDoneAsync(
            client.CreateAndWaitAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, EngagementEmulatorOptions.DefaultWorkspaceId, progress),
            TimeSpan.FromSeconds(1));

        Assert.Contains(progress.Items, s => s.RawStatus == "running" && s.State == EngagementTaskState.Started);
        Assert.Equal("success", progress.Items[^1].RawStatus);
        Assert.Equal(EngagementTaskState.Success, progress.Items[^1].State);
        Assert.NotNull(workbook.WorkbookId);
    }

    [Fact]
    public async Task OnlyTheRequestedDataTypesAreCollected()
    {
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient();

        var workbook = await h.AdvanceUntilDoneAsync(
            client.CreateAndWaitAsync(Harness.QuickStartPostUrl, EngagementDataTypes.Comment, EngagementEmulatorOptions.DefaultWorkspaceId),
            TimeSpan.FromSeconds(1));
        var engagers = await client.GetEngagersAsync(workbook.WorkbookId).ToListAsync();

        Assert.NotEmpty(engagers);
        Assert.All(engagers, e => Assert.Equal(EngagerKind.Comment, e.Kind));
        Assert.Equal(engagers.Count, workbook.ItemsCollected);
        var body = h.Engagement.Requests.First(r => r.Method == "POST");
        Assert.Equal("/api/workbooks", body.Path);
    }

    [Fact]
    public async Task SamePostGivesTheSameEngagersEveryTime()
    {
        await using var h = await Harness.StartAsync(o => o.ExtractionDuration = TimeSpan.FromSeconds(10));
        var client = h.CreateClient();

        async Task<List<string>> Run()
        {
            var wb = await h.AdvanceUntilDoneAsync(client.CreateAndWaitAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, EngagementEmulatorOptions.DefaultWorkspaceId), TimeSpan.FromSeconds(1));
            return (await client.GetEngagersAsync(wb.WorkbookId).ToListAsync()).Select(e => $"{e.GetString("id")}|{e.Type}|{e.GetString("profile_url")}|{e.GetString("reaction_type")}").ToList();
        }

        var first = await Run();
        var second = await Run();
        Assert.Equal(first, second);
    }
}
