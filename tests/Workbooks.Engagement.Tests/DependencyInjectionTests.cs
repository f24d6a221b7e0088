using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

/// <summary><c>services.AddWorkbooksEngagement(...)</c>: one client over the factory's named HTTP client, options checked at start.</summary>
public sealed class DependencyInjectionTests(SharedHarness shared) : IClassFixture<SharedHarness>
{
    [Fact]
    public async Task TheRegisteredClientTalksToTheServiceThroughTheNamedHttpClient()
    {
        var h = shared.Harness;
        var services = new ServiceCollection();
        var sent = 0;
        services.AddWorkbooksEngagement(o =>
        {
            o.BaseAddress = h.Emulator.BaseAddress;
            o.ApiKey = h.Engagement.ApiKey;
            o.AllowInsecureLoopback = true;
            o.TimeProvider = h.Time;
        }).AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref sent)));
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var client = provider.GetRequiredService<EngagementClient>();
        Assert.Same(client, provider.GetRequiredService<EngagementClient>());
        var error = await Assert.ThrowsAsync<EngagementNotFoundException>(() => client.GetTaskStatusAsync("no-such-task-0000"));

        Assert.Equal(1, sent);
        Assert.NotNull(error.Detail);
    }

    [Fact]
    public void OptionsThatCannotWorkFailTheStart()
    {
        var services = new ServiceCollection();
        services.AddWorkbooksEngagement(o => o.BaseAddress = new Uri("http://engagement.example/"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.NotEmpty(error.Failures);
    }

    [Fact]
    public async Task TheClientLogsAndMetersThroughTheContainersFactoriesWithoutTheApiKey()
    {
        const string canary = "eng_canary_di_8c41f07b";
        await using var h = await Harness.StartAsync(o => o.ApiKeys.Add(new EngagementEmulatorApiKey(canary, [EngagementEmulatorOptions.DefaultWorkspaceId])));
        var capture = new CapturingLoggerFactory();
        var services = new ServiceCollection();
        // Every category at every level: the HTTP client factory's own loggers are heard too.
        services.AddLogging(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        services.AddWorkbooksEngagement(o =>
        {
            o.BaseAddress = h.Emulator.BaseAddress;
            o.ApiKey = canary;
            o.AllowInsecureLoopback = true;
            o.TimeProvider = h.Time;
        });
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<EngagementClientOptions>>().Value;
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        Assert.Same(provider.GetRequiredService<ILoggerFactory>(), options.LoggerFactory);
        Assert.Same(meterFactory, options.MeterFactory);
        using var recorder = new MeasurementRecorder(m => m.Scope == meterFactory);
        var client = provider.GetRequiredService<EngagementClient>();
        await Assert.ThrowsAsync<EngagementNotFoundException>(() => client.GetTaskStatusAsync("no-such-task-0000"));

        Assert.Equal(canary, h.Engagement.Requests.Single().ApiKey);
        Assert.Contains(capture.Logs, l => l.Category == "Workbooks.Engagement" && l.EventId is { Id: 2, Name: "RequestAnswered" });
        Assert.Equal(1, recorder.Sum("workbooks.engagement.requests", ("error.type", "404"), ("workbooks.engagement.operation", "get_task_status")));
        Assert.All(recorder.Measurements.Where(m => m.Instrument.StartsWith("workbooks.", StringComparison.Ordinal)), m => Assert.Equal("Workbooks.Engagement", m.Meter));
        // The factory's loggers log the request headers at Trace, the key's name among them but never its value.
        Assert.Contains(capture.Logs, l => l.Category.StartsWith("System.Net.Http.HttpClient.Workbooks.Engagement", StringComparison.Ordinal) && l.Message.Contains("X-API-Key", StringComparison.Ordinal));
        Secrets.AssertAbsent(canary, capture.Logs, [], recorder.Measurements);
    }

    [Fact]
    public void FactoriesTheCallerSetAreKept()
    {
        var mine = new CapturingLoggerFactory();
        using var meters = new TestMeterFactory();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWorkbooksEngagement(o =>
        {
            o.ApiKey = "k";
            o.LoggerFactory = mine;
            o.MeterFactory = meters;
        });
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<EngagementClientOptions>>().Value;
        Assert.Same(mine, options.LoggerFactory);
        Assert.Same(meters, options.MeterFactory);
    }

    private sealed class CountingHandler(Action count) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            count();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
