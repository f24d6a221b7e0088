using System.Diagnostics;
using System.Text.Json;
using Workbooks.Emulator;
using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

/// <summary>Whatever goes wrong between the client and the service surfaces as an <see cref="EngagementException"/>, the cause inside; nothing hangs.</summary>
public sealed class TransportFaultTests
{
    private const string Workspace = EngagementEmulatorOptions.DefaultWorkspaceId;

    private static async Task<(Harness Harness, EngagementClient Client, string WorkbookId)> CompletedWorkbookAsync(Action<EngagementClientOptions>? configure = null)
    {
        var h = await Harness.StartAsync();
        var client = h.CreateClient(configure);
        var workbook = await h.AdvanceUntilDoneAsync(client.CreateAndWaitAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace), TimeSpan.FromSeconds(1));
        return (h, client, workbook.WorkbookId);
    }

    [Fact]
    public async Task APageCutShortIsAnEngagementException()
    {
        var (h, client, id) = await CompletedWorkbookAsync();
        await using (h)
        {
            h.Engagement.Inject(new EmulatorFault(EmulatorFaultKind.TruncateResponse) { PathContains = "/engagers" });
            var error = await Assert.ThrowsAsync<EngagementException>(() => client.GetEngagersAsync(id).ToListAsync().AsTask());
            Assert.True(error.InnerException is IOException or HttpRequestException or JsonException, error.ToString());
            Assert.StartsWith("GET /api/engagers/workbook/", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task APageNestedTooDeepOrNotJsonIsAnEngagementException()
    {
        var (h, client, id) = await CompletedWorkbookAsync();
        await using (h)
        {
            h.Engagement.Inject(new EmulatorFault(EmulatorFaultKind.MalformedJson) { PathContains = "/contacts" });
            var error = await Assert.ThrowsAsync<EngagementException>(() => client.GetContactsAsync(id).ToListAsync().AsTask());
            Assert.IsAssignableFrom<JsonException>(error.InnerException);
        }
    }

    [Fact]
    public async Task AStatusAnswerThatIsNotJsonIsAnEngagementException()
    {
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient();
        var task = await client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.All, Workspace);
        h.Engagement.Inject(new EmulatorFault(EmulatorFaultKind.MalformedJson) { PathContains = "/status" });

        var error = await Assert.ThrowsAsync<EngagementException>(() => client.GetTaskStatusAsync(task.TaskId));
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task ABodyThatStallsEndsInATimeoutInsteadOfHanging()
    {
        var (h, client, id) = await CompletedWorkbookAsync(o => o.RequestTimeout = TimeSpan.FromMilliseconds(800));
        await using (h)
        {
            h.Engagement.Inject(new EmulatorFault(EmulatorFaultKind.StallBody) { PathContains = "/engagers", Delay = TimeSpan.FromSeconds(20) });
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<EngagementException>(() => client.GetEngagersAsync(id).ToListAsync().AsTask());
            Assert.Contains("did not finish within", error.Message, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        }
    }

    [Fact]
    public async Task AServiceThatCannotBeReachedIsAnEngagementException()
    {
        // A loopback port with nothing listening: the connection is refused.
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var h = await Harness.StartAsync();
        var client = h.CreateClient(o => o.BaseAddress = new Uri($"http://127.0.0.1:{port}/"));

        var error = await Assert.ThrowsAsync<EngagementException>(() => client.GetTaskStatusAsync("abc123-def456-ghi789"));
        Assert.IsType<HttpRequestException>(error.InnerException);
    }
}
