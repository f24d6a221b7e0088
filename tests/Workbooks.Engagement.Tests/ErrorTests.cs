using System.Net;
using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

/// <remarks>
/// Tests that are only refused share one emulator (together they spend two of a key's six creations a minute, on a
/// clock that never moves); a test that needs options of its own, moves the clock, leaves a task running or exhausts
/// the rate budget starts its own.
/// </remarks>
public sealed class ErrorTests(SharedHarness shared) : IClassFixture<SharedHarness>
{
    private const string Workspace = EngagementEmulatorOptions.DefaultWorkspaceId;

    [Fact]
    public async Task ReadingANonTemporaryWorkbookRaisesBadRequestWithTheServicesDetail()
    {
        await using var h = await Harness.StartAsync(o => o.PermanentWorkbookIds.Add("507f1f77bcf86cd799439099"));
        var client = h.CreateClient();

        var ex = await Assert.ThrowsAsync<EngagementBadRequestException>(() => client.GetEngagersAsync("507f1f77bcf86cd799439099").ToListAsync().AsTask());

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("This operation is only supported for temporary workbooks.", ex.Detail);
        Assert.IsAssignableFrom<EngagementException>(ex);
    }

    [Fact]
    public async Task AWorkspaceTheKeyCannotUseRaisesForbiddenWithTheServicesDetail()
    {
        var h = shared.Harness;
        var client = h.CreateClient();

        var ex = await Assert.ThrowsAsync<EngagementAccessDeniedException>(
            () => client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, EngagementEmulatorOptions.OtherWorkspaceId));

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Equal("No access to workspace", ex.Detail);
    }

    [Fact]
    public async Task AnUnknownApiKeyRaisesForbidden()
    {
        var h = shared.Harness;
        var client = h.CreateClient(o => o.ApiKey = "not-a-key");

        var ex = await Assert.ThrowsAsync<EngagementAccessDeniedException>(() => client.GetTaskStatusAsync("abc123-def456-ghi789"));

        Assert.Equal("Invalid API key", ex.Detail);
    }

    [Fact]
    public async Task ASecondTaskForARunningPostRaisesConflictTaskBlockedByAnotherTask()
    {
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient();
        await client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace);

        // The same post in the other documented URL format is the same post.
        var ex = await Assert.ThrowsAsync<EngagementTaskBlockedException>(
            () => client.CreateWorkbookAsync("https://www.social.com/feed/update/urn:li:activity:1234567890", EngagementDataTypes.All, Workspace));

        Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
        Assert.Equal("task_blocked_by_another_task", ex.Detail);
    }

    [Fact]
    public async Task WithBlockedTaskWaitingEnabledCreationRetriesUntilTheRunningTaskCompletes()
    {
        await using var h = await Harness.StartAsync(o => o.ExtractionDuration = TimeSpan.FromSeconds(90));
        var client = h.CreateClient(o => o.BlockedTaskMaxWait = TimeSpan.FromMinutes(5));
        var first = await client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace);

        var second = await h.AdvanceUntilDoneAsync(client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace), TimeSpan.FromSeconds(1));

        Assert.NotEqual(first.TaskId, second.TaskId);
        Assert.Equal(EngagementTaskState.Pending, second.State);
        Assert.True(h.Count("POST", "/api/workbooks", 409) >= 1);
        Assert.Equal(0, h.Count("POST", "/api/workbooks", 429));
        Assert.Equal(EngagementTaskState.Success, (await client.GetTaskStatusAsync(first.TaskId)).State);
    }

    [Fact]
    public async Task APostUrlTheServiceRejectsRaisesValidationErrorWhenLocalChecksAreSkipped()
    {
        var h = shared.Harness;
        var client = h.CreateClient(o => o.SkipPostUrlValidation = true);

        var ex = await Assert.ThrowsAsync<EngagementValidationException>(
            () => client.CreateWorkbookAsync("https://www.social.com/in/someone", EngagementDataTypes.All, Workspace));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, ex.StatusCode);
        Assert.Equal("Invalid post URL format", ex.Detail);
    }

    [Fact]
    public async Task RateLimitAnswersRaiseTooManyRequestsWithRetryAfterWhenRetriesAreDisabled()
    {
        await using var h = await Harness.StartAsync();
        var first = h.CreateClient();
        var second = h.CreateClient(o => o.MaxRateLimitRetries = 0);
        for (var i = 0; i < 6; i++)
            await first.CreateWorkbookAsync($"https://www.social.com/posts/user_activity-{100 + i}", EngagementDataTypes.All, Workspace);

        var ex = await Assert.ThrowsAsync<EngagementRateLimitException>(
            () => second.CreateWorkbookAsync("https://www.social.com/posts/user_activity-200", EngagementDataTypes.All, Workspace));

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("Rate limit exceeded", ex.Detail);
        Assert.Equal(TimeSpan.FromSeconds(60), ex.RetryAfter);
    }

    [Fact]
    public async Task AnUnknownTaskRaisesNotFound()
    {
        var h = shared.Harness;
        var client = h.CreateClient();

        var ex = await Assert.ThrowsAsync<EngagementNotFoundException>(() => client.GetTaskStatusAsync("no-such-task"));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task ATaskThatFailsRaisesWithItsErrorText()
    {
        await using var h = await Harness.StartAsync(o => o.FailingPostIds.Add("404404"));
        var client = h.CreateClient();

        var ex = await Assert.ThrowsAsync<EngagementTaskFailedException>(() => h.AdvanceUntilDoneAsync(
            client.CreateAndWaitAsync("https://www.social.com/posts/ghost_activity-404404", EngagementDataTypes.All, Workspace), TimeSpan.FromSeconds(1)));

        Assert.Equal("Post not found or access denied", ex.Detail);
        Assert.Null(ex.StatusCode);
        Assert.Equal(EngagementTaskState.Failure, ex.Status!.State);
        Assert.NotNull(ex.Status.CompletedAt);
        Assert.Contains("Post not found or access denied", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitingGivesUpAfterTheCompletionTimeout()
    {
        await using var h = await Harness.StartAsync(o => o.ExtractionDuration = TimeSpan.FromHours(2));
        var client = h.CreateClient(o => o.CompletionTimeout = TimeSpan.FromMinutes(2));
        var task = await client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace);

        await Assert.ThrowsAsync<EngagementTaskTimeoutException>(() => h.AdvanceUntilDoneAsync(client.WaitForCompletionAsync(task.TaskId), TimeSpan.FromSeconds(1)));
    }
}
