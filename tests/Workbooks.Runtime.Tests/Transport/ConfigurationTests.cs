using System.Diagnostics;
using System.Net;
using Workbooks.Emulator;
using Workbooks.Runtime.Tests.TestSupport;

namespace Workbooks.Runtime.Tests.Transport;

public sealed class ConfigurationEmulator() : EmulatorFixture(people: 50, organisations: 20, others: 3, connect: false);

/// <remarks>One emulator for the class: each test connects sessions of its own and only reads.</remarks>
public sealed class ConfigurationTests(ConfigurationEmulator fixture) : SharedEmulatorTests<ConfigurationEmulator>(fixture)
{

    private WorkbooksOptions Options() => new() { Service = Emu.BaseAddress, ApiKey = Emu.ApiKey, AllowInsecureLoopback = true };

    [Fact]
    public async Task UnambiguousOutputFormatsParseToTheSameValuesAsTheDefaults()
    {
        await using var plain = await WorkbooksSession.ConnectAsync(Options());
        var options = Options();
        options.RequestUnambiguousFormats = true;
        await using var unambiguous = await WorkbooksSession.ConnectAsync(options);

        var a = (await plain.Records("activity/tasks").SelectFields("due_date", "updated_at").ToListAsync()).ToDictionary(r => r.Id);
        var b = await unambiguous.Records("activity/tasks").SelectFields("due_date", "updated_at").ToListAsync();
        Assert.NotEmpty(b);
        Assert.True(b[0].TryGetRaw("updated_at", out var raw));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, raw.ValueKind);
        foreach (var record in b)
        {
            Assert.Equal(a[record.Id].GetDateTime("updated_at"), record.GetDateTime("updated_at"));
            Assert.Equal(a[record.Id].GetDate("due_date"), record.GetDate("due_date"));
        }
    }

    private sealed class Factory : IHttpClientFactory
    {
        public int Created { get; private set; }

        public HttpClient CreateClient(string name)
        {
            Created++;
            return new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.All });
        }
    }

    [Fact]
    public async Task ASessionCanUseAClientFromAnHttpClientFactory()
    {
        var factory = new Factory();
        await using var session = await WorkbooksSession.ConnectAsync(Options(), factory);
        Assert.Equal(1, factory.Created);
        Assert.Equal(3, (await session.Records("crm/people").Take(3).ToListAsync()).Count);
    }

    [Fact]
    public async Task EveryRequestIsTracedThroughTheActivitySource()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Workbooks.Runtime",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (activities) activities.Add(activity); },
        };
        ActivitySource.AddActivityListener(listener);
        // Listeners are process-wide and other tests run in parallel: keep only this test's trace.
        using var parent = new Activity("test").Start();
        await using (var session = await WorkbooksSession.ConnectAsync(Options()))
            await session.Records("crm/people").Take(2).ToListAsync();
        parent.Stop();
        lock (activities)
        {
            activities.RemoveAll(a => a.TraceId != parent.TraceId);
            var read = Assert.Single(activities, a => a.DisplayName == "Workbooks GET crm/people.api");
            Assert.Equal(200, read.GetTagItem("http.response.status_code"));
            Assert.Contains(activities, a => a.DisplayName.Contains("login.api", StringComparison.Ordinal));
        }
    }
}
