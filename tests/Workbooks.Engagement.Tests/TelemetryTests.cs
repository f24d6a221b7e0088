using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Workbooks.Emulator;
using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

/// <summary>
/// The client's telemetry, against the emulator over HTTP: log events under the category <c>Workbooks.Engagement</c>
/// with their documented ids, spans of the <c>ActivitySource</c> and instruments of the <c>Meter</c> of that name; the
/// API key (a canary) is in none of them.
/// </summary>
/// <remarks>
/// Each test starts an emulator of its own (it moves the clock and counts every request the service saw). Listeners
/// are process-wide and other tests run meanwhile: the meters here come from a factory of the test's own, spans are
/// those of the test's own trace.
/// </remarks>
public sealed class TelemetryTests
{
    private const string Name = "Workbooks.Engagement";
    private const string Canary = "eng_canary_5f0c8e1d9a7b4c3e";
    private const string Workspace = EngagementEmulatorOptions.DefaultWorkspaceId;
    private const string FailingPost = "https://www.social.com/posts/ghost_activity-404404";

    private static readonly HashSet<string> DocumentedMetricTags =
    [
        "workbooks.engagement.operation", "http.request.method", "http.response.status_code", "error.type",
        "workbooks.engagement.retry.reason", "workbooks.engagement.task.state", "workbooks.engagement.data_types",
        "workbooks.engagement.record.kind",
    ];

    private static Task<Harness> StartAsync(Action<EngagementEmulatorOptions>? configure = null) => Harness.StartAsync(o =>
    {
        // The only key the service knows: every request carries the canary.
        o.ApiKeys.Add(new EngagementEmulatorApiKey(Canary, [Workspace]));
        configure?.Invoke(o);
    });

    [Fact]
    public async Task RequestsRetriesPollsWorkbooksAndRecordsAreLoggedTracedAndMeteredWithoutTheApiKey()
    {
        await using var h = await StartAsync(o =>
        {
            o.CreateRequestsPerMinute = 1; // the service's budget: a second creation within the minute is answered 429
            o.EngagersPerPost = 30;
            o.FailingPostIds.Add("404404");
        });
        var logs = new CapturingLoggerFactory();
        using var meters = new TestMeterFactory();
        using var recorder = new MeasurementRecorder(m => m.Scope == meters);
        using var trace = new ActivityRecorder(Name);
        var client = h.CreateClient(o =>
        {
            o.LoggerFactory = logs;
            o.MeterFactory = meters;
        });
        Assert.Equal(1, meters.Created);

        var first = await client.CreateWorkbookAsync("https://www.social.com/posts/user_activity-77", EngagementDataTypes.Comment, Workspace);
        var workbook = await h.AdvanceUntilDoneAsync(client.CreateAndWaitAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace), TimeSpan.FromSeconds(1));
        var engagers = await client.GetEngagersAsync(workbook).ToListAsync();
        var contacts = await client.GetContactsAsync(workbook).ToListAsync();
        var failed = await Assert.ThrowsAsync<EngagementTaskFailedException>(() => h.AdvanceUntilDoneAsync(
            client.CreateAndWaitAsync(FailingPost, EngagementDataTypes.All, Workspace), TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<EngagementNotFoundException>(() => client.GetTaskStatusAsync("no-such-task"));
        var polled = h.Count("GET", "/api/tasks/", 200);
        var polls = recorder.Sum("workbooks.engagement.polls");
        h.Engagement.Inject(new EmulatorFault(EmulatorFaultKind.DropConnection) { PathContains = "/status" });
        await Assert.ThrowsAsync<EngagementException>(() => client.GetTaskStatusAsync(first.TaskId));
        trace.Parent.Stop();

        Assert.Equal(30, engagers.Count);
        Assert.Equal(1, h.Count("POST", "/api/workbooks", 429));
        Assert.All(h.Engagement.Requests, r => Assert.Equal(Canary, r.ApiKey)); // the key was sent, every time

        // Metrics.
        var requests = h.Engagement.Requests.Count;
        Assert.All(recorder.Measurements, m => Assert.Equal(Name, m.Meter));
        Assert.Equal(requests, recorder.Sum("workbooks.engagement.requests"));
        Assert.Equal(requests, recorder.Of("workbooks.engagement.request.duration").Count());
        Assert.Contains(recorder.Measurements, m => m.Instrument == "workbooks.engagement.request.duration" && m.Value > 0);
        Assert.Equal(1, recorder.Sum("workbooks.engagement.requests", ("workbooks.engagement.operation", "create_workbook"), ("http.response.status_code", 429), ("error.type", "429")));
        Assert.Equal(3, recorder.Sum("workbooks.engagement.requests", ("workbooks.engagement.operation", "create_workbook"), ("http.request.method", "POST"), ("http.response.status_code", 200)));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.requests", ("workbooks.engagement.operation", "get_task_status"), ("error.type", "404")));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.requests", ("workbooks.engagement.operation", "get_task_status"), ("error.type", "System.Net.Http.HttpRequestException")));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.requests", ("workbooks.engagement.operation", "get_engagers")));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.requests", ("workbooks.engagement.operation", "get_contacts")));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.retries", ("workbooks.engagement.operation", "create_workbook"), ("workbooks.engagement.retry.reason", "rate_limited")));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.retries"));
        Assert.Equal(polled, polls);
        Assert.Equal(1, recorder.Sum("workbooks.engagement.polls", ("workbooks.engagement.task.state", "success")));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.polls", ("workbooks.engagement.task.state", "failure")));
        Assert.True(recorder.Sum("workbooks.engagement.polls", ("workbooks.engagement.task.state", "started")) >= 1);
        Assert.Equal(3, recorder.Sum("workbooks.engagement.workbooks.created"));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.workbooks.created", ("workbooks.engagement.data_types", "comment")));
        Assert.Equal(2, recorder.Sum("workbooks.engagement.workbooks.created", ("workbooks.engagement.data_types", "comment,reaction")));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.workbooks.ready"));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.workbooks.failed", ("error.type", "Workbooks.Engagement.EngagementTaskFailedException")));
        Assert.Equal(30, recorder.Sum("workbooks.engagement.records.read", ("workbooks.engagement.record.kind", "engager")));
        Assert.Equal(contacts.Count, recorder.Sum("workbooks.engagement.records.read", ("workbooks.engagement.record.kind", "contact")));
        Assert.All(recorder.Measurements.SelectMany(m => m.Tags), t => Assert.Contains(t.Key, DocumentedMetricTags));

        // Logs: one category, the documented event ids.
        var events = logs.Logs.ToList();
        Assert.All(events, e => Assert.Equal(Name, e.Category));
        foreach (var (id, name) in new[] { (1, "RequestSent"), (2, "RequestAnswered"), (3, "RequestFailed"), (4, "RateLimitedRetry"), (6, "TaskStatusPolled"), (7, "WorkbookCreated"), (8, "WorkbookReady"), (9, "WorkbookFailed"), (11, "PageRead") })
            Assert.Contains(events, e => e.EventId.Id == id && e.EventId.Name == name);
        Assert.Equal(requests, events.Count(e => e.EventId.Id == 1));
        Assert.Equal(requests, events.Count(e => e.EventId.Id is 2 or 3));
        var answered429 = Assert.Single(events, e => e.EventId.Id == 2 && Value(e, "StatusCode") is 429);
        Assert.Equal("POST", Value(answered429, "HttpMethod"));
        Assert.Equal("/api/workbooks", Value(answered429, "UrlPath"));
        Assert.All(events.Where(e => e.EventId.Id is 1 or 2 or 3), e => Assert.DoesNotContain("?", (string)Value(e, "UrlPath")!, StringComparison.Ordinal));
        var dropped = Assert.Single(events, e => e.EventId.Id == 3);
        Assert.Equal(LogLevel.Warning, dropped.Level);
        Assert.Equal("System.Net.Http.HttpRequestException", Value(dropped, "ErrorType"));
        var ready = Assert.Single(events, e => e.EventId.Id == 8);
        Assert.Equal(workbook.WorkbookId, Value(ready, "WorkbookId"));
        Assert.Equal(LogLevel.Information, ready.Level);
        Assert.Equal("Post not found or access denied", Value(Assert.Single(events, e => e.EventId.Id == 9), "TaskError"));
        Assert.Equal(3, events.Count(e => e.EventId.Id == 7));
        Assert.Contains(events, e => e.EventId.Id == 11 && Value(e, "RecordKind") is "engager" && Value(e, "Count") is 30);

        // Spans of this trace: the two CreateAndWait operations, the waits inside them, and every HTTP request.
        var spans = trace.Stopped;
        var operations = spans.Where(a => a.DisplayName == "Workbooks.Engagement CreateAndWait").ToList();
        Assert.Equal(2, operations.Count);
        var succeeded = Assert.Single(operations, a => a.Status == ActivityStatusCode.Unset);
        Assert.Equal(workbook.WorkbookId, succeeded.GetTagItem("workbooks.engagement.workbook.id"));
        Assert.Equal(workbook.TaskId, succeeded.GetTagItem("workbooks.engagement.task.id"));
        Assert.Equal(30L, succeeded.GetTagItem("workbooks.engagement.workbook.items_collected"));
        var failedOperation = Assert.Single(operations, a => a.Status == ActivityStatusCode.Error);
        Assert.Equal(typeof(EngagementTaskFailedException).FullName, failedOperation.GetTagItem("error.type"));
        Assert.Equal(failed.Status!.TaskId, failedOperation.GetTagItem("workbooks.engagement.task.id"));
        Assert.All(operations, a => Assert.Equal(ActivityKind.Internal, a.Kind));

        var creations = spans.Where(a => a.DisplayName == "POST /api/workbooks").ToList();
        Assert.Equal(4, creations.Count);
        var refused = Assert.Single(creations, a => a.GetTagItem("http.response.status_code") is 429);
        var resent = Assert.Single(creations, a => a.GetTagItem("http.request.resend_count") is 1);
        Assert.Equal(succeeded.SpanId, refused.ParentSpanId);
        Assert.Equal(succeeded.SpanId, resent.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.Equal("429", refused.GetTagItem("error.type"));
        Assert.Equal(200, resent.GetTagItem("http.response.status_code"));
        Assert.Null(resent.GetTagItem("error.type"));

        var wait = Assert.Single(spans, a => a.DisplayName == "Workbooks.Engagement WaitForCompletion" && a.ParentSpanId == succeeded.SpanId);
        var statusReads = spans.Where(a => a.DisplayName == "GET /api/tasks/{task_id}/status" && a.ParentSpanId == wait.SpanId).ToList();
        Assert.NotEmpty(statusReads);
        Assert.All(statusReads, a => Assert.Equal($"/api/tasks/{workbook.TaskId}/status", a.GetTagItem("url.path")));

        var page = Assert.Single(spans, a => a.DisplayName == "GET /api/engagers/workbook/{workbook_id}");
        Assert.Equal(ActivityKind.Client, page.Kind);
        Assert.Equal("GET", page.GetTagItem("http.request.method"));
        Assert.Equal($"/api/engagers/workbook/{workbook.WorkbookId}", page.GetTagItem("url.path"));
        Assert.Equal("/api/engagers/workbook/{workbook_id}", page.GetTagItem("url.template"));
        Assert.Equal("http", page.GetTagItem("url.scheme"));
        Assert.Equal(h.Emulator.BaseAddress.Host, page.GetTagItem("server.address"));
        Assert.Equal(h.Emulator.BaseAddress.Port, page.GetTagItem("server.port"));
        Assert.Equal("get_engagers", page.GetTagItem("workbooks.engagement.operation"));
        Assert.Equal(200, page.GetTagItem("http.response.status_code"));
        Assert.Single(spans, a => a.DisplayName == "GET /api/engagers/workbook/{workbook_id}/contacts");

        var notFound = Assert.Single(spans, a => a.GetTagItem("error.type") is "404");
        Assert.Equal("/api/tasks/no-such-task/status", notFound.GetTagItem("url.path"));
        Assert.Equal(ActivityStatusCode.Error, notFound.Status);
        var broken = Assert.Single(spans, a => a.GetTagItem("error.type") is "System.Net.Http.HttpRequestException");
        Assert.Equal(ActivityStatusCode.Error, broken.Status);
        Assert.Null(broken.GetTagItem("http.response.status_code"));
        Assert.Equal(requests, spans.Count(a => a.Kind == ActivityKind.Client));

        // The canary is in none of it (and the check does look into state values, tags and names).
        Assert.Contains(Secrets.Texts(events, spans, recorder.Measurements), t => t.Text.Contains(workbook.WorkbookId, StringComparison.Ordinal));
        Secrets.AssertAbsent(Canary, events, spans, recorder.Measurements);
    }

    [Fact]
    public async Task BlockedCreationsAndWaitsThatTimeOutAreLoggedAndCountedWithoutTheApiKey()
    {
        await using var h = await StartAsync(o => o.ExtractionDuration = TimeSpan.FromSeconds(90));
        var logs = new CapturingLoggerFactory();
        using var meters = new TestMeterFactory();
        using var recorder = new MeasurementRecorder(m => m.Scope == meters);
        using var trace = new ActivityRecorder(Name);
        var client = h.CreateClient(o =>
        {
            o.LoggerFactory = logs;
            o.MeterFactory = meters;
            o.CompletionTimeout = TimeSpan.FromSeconds(30);
            o.BlockedTaskMaxWait = TimeSpan.FromMinutes(5);
        });

        var first = await client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace);
        await Assert.ThrowsAsync<EngagementTaskTimeoutException>(() => h.AdvanceUntilDoneAsync(client.WaitForCompletionAsync(first.TaskId), TimeSpan.FromSeconds(1)));
        var second = await h.AdvanceUntilDoneAsync(client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace), TimeSpan.FromSeconds(1));
        trace.Parent.Stop();

        Assert.NotEqual(first.TaskId, second.TaskId);
        var blocked = h.Count("POST", "/api/workbooks", 409);
        Assert.True(blocked >= 1);
        Assert.Equal(blocked, recorder.Sum("workbooks.engagement.retries", ("workbooks.engagement.retry.reason", "task_blocked"), ("workbooks.engagement.operation", "create_workbook")));
        Assert.Equal(1, recorder.Sum("workbooks.engagement.workbooks.failed", ("error.type", "Workbooks.Engagement.EngagementTaskTimeoutException")));
        Assert.Equal(0, recorder.Sum("workbooks.engagement.workbooks.ready"));
        Assert.Equal(2, recorder.Sum("workbooks.engagement.workbooks.created"));

        var events = logs.Logs.ToList();
        Assert.Equal(blocked, events.Count(e => e.EventId.Id == 5 && e.EventId.Name == "BlockedCreationRetry"));
        var timedOut = Assert.Single(events, e => e.EventId.Id == 10 && e.EventId.Name == "WaitTimedOut");
        Assert.Equal(first.TaskId, Value(timedOut, "TaskId"));
        Assert.Equal(LogLevel.Warning, timedOut.Level);

        var wait = Assert.Single(trace.Stopped, a => a.DisplayName == "Workbooks.Engagement WaitForCompletion");
        Assert.Equal(ActivityStatusCode.Error, wait.Status);
        Assert.Equal(typeof(EngagementTaskTimeoutException).FullName, wait.GetTagItem("error.type"));
        Assert.Equal(first.TaskId, wait.GetTagItem("workbooks.engagement.task.id"));
        Assert.Equal(blocked, trace.Stopped.Count(a => a.DisplayName == "POST /api/workbooks" && a.GetTagItem("error.type") is "409"));

        Secrets.AssertAbsent(Canary, events, trace.Stopped, recorder.Measurements);
    }

    [Fact]
    public async Task WithoutAMeterFactoryTheStaticMeterOfTheSameNameIsUsed()
    {
        await using var h = await StartAsync();
        using var recorder = new MeasurementRecorder(m => m.Name == Name && m.Scope is null);
        using var trace = new ActivityRecorder(Name);
        var client = h.CreateClient();

        await Assert.ThrowsAsync<EngagementNotFoundException>(() => client.GetTaskStatusAsync("no-such-task"));
        trace.Parent.Stop();

        // Other clients of the process count on the same meter meanwhile: only this test's trace counts here.
        var mine = recorder.Measurements.Where(m => m.TraceId == trace.Parent.TraceId).ToList();
        Assert.Single(mine, m => m.Instrument == "workbooks.engagement.requests" && m.Tags.Contains(new("error.type", "404")));
        Assert.Single(mine, m => m.Instrument == "workbooks.engagement.request.duration");
        Secrets.AssertAbsent(Canary, [], trace.Stopped, mine);
    }

    [Fact]
    public async Task WithoutListenersOrALoggerFactoryTheClientWorksTheSame()
    {
        await using var h = await StartAsync(o => o.EngagersPerPost = 5);
        var client = h.CreateClient();

        var workbook = await h.AdvanceUntilDoneAsync(client.CreateAndWaitAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace), TimeSpan.FromSeconds(1));

        Assert.Equal(5, (await client.GetEngagersAsync(workbook).ToListAsync()).Count);
    }

    private static object? Value(CapturedLog log, string key) => log.State.Single(kv => kv.Key == key).Value;
}
