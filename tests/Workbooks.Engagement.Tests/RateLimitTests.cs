using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

/// <remarks>
/// Each test starts an emulator of its own: it spends a key's rate budget and moves the fake clock.
/// </remarks>
public sealed class RateLimitTests
{
    private const string Workspace = EngagementEmulatorOptions.DefaultWorkspaceId;

    private static string Post(int i) => $"https://www.social.com/posts/user_activity-{1000 + i}";

    [Fact]
    public async Task TheSeventhCreationInAMinuteWaitsOnTheClientAndNeverReachesTheServerEarly()
    {
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient();
        for (var i = 0; i < 6; i++)
            await client.CreateWorkbookAsync(Post(i), EngagementDataTypes.All, Workspace);

        var seventh = client.CreateWorkbookAsync(Post(6), EngagementDataTypes.All, Workspace);
        await Task.Delay(50);
        h.Time.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(50);

        Assert.False(seventh.IsCompleted);
        Assert.Equal(6, h.Count("POST", "/api/workbooks"));

        h.Time.Advance(TimeSpan.FromSeconds(1));
        var task = await seventh;

        Assert.Equal(EngagementTaskState.Pending, task.State);
        Assert.Equal(7, h.Count("POST", "/api/workbooks"));
        Assert.Equal(0, h.Count("POST", "/api/workbooks", 429));
        var last = h.Engagement.Requests.Last(r => r.Method == "POST");
        var firstPost = h.Engagement.Requests.First(r => r.Method == "POST");
        Assert.True(last.Timestamp - firstPost.Timestamp >= TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task ConcurrentCreationsFromManyThreadsShareTheSixPerMinuteBudget()
    {
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient();

        var all = Enumerable.Range(0, 12).Select(i => Task.Run(() => client.CreateWorkbookAsync(Post(i), EngagementDataTypes.All, Workspace))).ToList();
        await h.WaitForRequestAsync(_ => h.Count("POST", "/api/workbooks") == 6);
        await Task.Delay(50);
        Assert.Equal(6, h.Count("POST", "/api/workbooks"));
        Assert.Equal(6, all.Count(t => t.IsCompletedSuccessfully));

        h.Time.Advance(TimeSpan.FromMinutes(1));
        var tasks = await Task.WhenAll(all);

        Assert.Equal(12, tasks.Select(t => t.TaskId).Distinct().Count());
        Assert.Equal(12, h.Count("POST", "/api/workbooks", 200));
    }

    [Fact]
    public async Task StatusRequestsBeyondSixtyAMinuteWaitOnTheClient()
    {
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient();
        var task = await client.CreateWorkbookAsync(Post(0), EngagementDataTypes.All, Workspace);
        for (var i = 0; i < 60; i++)
            await client.GetTaskStatusAsync(task.TaskId);

        var extra = client.GetTaskStatusAsync(task.TaskId);
        await Task.Delay(50);
        Assert.False(extra.IsCompleted);
        Assert.Equal(60, h.Count("GET", "/api/tasks/"));

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await extra;

        Assert.Equal(61, h.Count("GET", "/api/tasks/"));
        Assert.Equal(0, h.Count("GET", "/api/tasks/", 429));
    }

    [Fact]
    public async Task TheEmulatorAnswers429BeyondSixCreationsAMinutePerKey()
    {
        await using var h = await Harness.StartAsync();
        using var http = new HttpClient { BaseAddress = h.Emulator.BaseAddress };
        var statuses = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/workbooks")
            {
                Content = new StringContent($$"""{"workspace_id":"{{Workspace}}","post_url":"{{Post(i)}}","data_types":["comment"]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-API-Key", EngagementEmulatorOptions.DefaultApiKey);
            using var response = await http.SendAsync(request);
            statuses.Add((int)response.StatusCode);
            if (i == 6)
                Assert.Equal("60", response.Headers.GetValues("Retry-After").Single());
        }

        Assert.Equal([200, 200, 200, 200, 200, 200, 429], statuses);

        // Another key has its own budget.
        using var other = new HttpRequestMessage(HttpMethod.Post, "api/workbooks")
        {
            Content = new StringContent($$"""{"workspace_id":"{{EngagementEmulatorOptions.OtherWorkspaceId}}","post_url":"{{Post(9)}}","data_types":["comment"]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        other.Headers.Add("X-API-Key", EngagementEmulatorOptions.SecondApiKey);
        using var otherResponse = await http.SendAsync(other);
        Assert.Equal(200, (int)otherResponse.StatusCode);
    }

    [Fact]
    public async Task A429AnswerIsWaitedOutForItsRetryAfterAndRetriedOnceNotHammered()
    {
        await using var h = await Harness.StartAsync();
        var first = h.CreateClient();
        var second = h.CreateClient(); // same key, its own limiter: the server's limit is what stops it
        for (var i = 0; i < 6; i++)
            await first.CreateWorkbookAsync(Post(i), EngagementDataTypes.All, Workspace);

        var pending = second.CreateWorkbookAsync(Post(6), EngagementDataTypes.All, Workspace);
        await h.WaitForRequestAsync(r => r.StatusCode == 429);
        var task = await h.AdvanceUntilDoneAsync(pending, TimeSpan.FromSeconds(1));

        Assert.Equal(EngagementTaskState.Pending, task.State);
        Assert.Equal(1, h.Count("POST", "/api/workbooks", 429));
        var rejected = h.Engagement.Requests.Single(r => r.StatusCode == 429);
        var accepted = h.Engagement.Requests.Last(r => r.Method == "POST");
        Assert.Equal(200, accepted.StatusCode);
        Assert.True(accepted.Timestamp - rejected.Timestamp >= TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task PollingALongTaskStaysWithinSixtyStatusRequestsInAnyMinute()
    {
        await using var h = await Harness.StartAsync(o => o.ExtractionDuration = TimeSpan.FromMinutes(3));
        var client = h.CreateClient(o => { o.PollInterval = TimeSpan.FromMilliseconds(100); o.MaxPollInterval = TimeSpan.FromMilliseconds(200); });
        var task = await client.CreateWorkbookAsync(Post(0), EngagementDataTypes.All, Workspace);

        await h.AdvanceUntilDoneAsync(client.WaitForCompletionAsync(task.TaskId), TimeSpan.FromMilliseconds(500));

        var polls = h.Engagement.Requests.Where(r => r.Path.StartsWith("/api/tasks/", StringComparison.Ordinal)).ToList();
        Assert.All(polls, p => Assert.Equal(200, p.StatusCode));
        foreach (var p in polls)
            Assert.True(polls.Count(q => q.Timestamp >= p.Timestamp && q.Timestamp < p.Timestamp + TimeSpan.FromMinutes(1)) <= 60);
    }
}
