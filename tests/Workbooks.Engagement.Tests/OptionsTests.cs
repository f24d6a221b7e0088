using System.Net.Http;
using Workbooks.Emulator.Engagement;
using Workbooks.Engagement;

namespace Workbooks.Engagement.Tests;

public sealed class OptionsTests(SharedHarness shared) : IClassFixture<SharedHarness>
{
    [Fact]
    public void HttpToARemoteHostIsRefusedEvenWhenLoopbackIsAllowed()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EngagementClient(new EngagementClientOptions
        {
            BaseAddress = new Uri("http://production.viacurrent.com/"), ApiKey = "k", AllowInsecureLoopback = true,
        }));
        Assert.Contains("https", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HttpToLoopbackNeedsTheExplicitOption()
    {
        using var http = new HttpClient();
        Assert.Throws<ArgumentException>(() => new EngagementClient(http, new EngagementClientOptions { BaseAddress = new Uri("http://127.0.0.1:5000/"), ApiKey = "k" }));
        using var client = new EngagementClient(http, new EngagementClientOptions { BaseAddress = new Uri("http://127.0.0.1:5000/"), ApiKey = "k", AllowInsecureLoopback = true });
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), client.BaseAddress);
    }

    [Fact]
    public void InvalidLimitsAreRefusedUpFront()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EngagementClient(new EngagementClientOptions { ApiKey = "k", CreateRequestsPerMinute = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EngagementClient(new EngagementClientOptions { ApiKey = "k", PollInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EngagementClient(new EngagementClientOptions { ApiKey = "k", PollBackoffFactor = 0.5 }));
    }

    [Fact]
    public async Task TheApiKeyComesFromTheEnvironmentWhenNotSetAndAFactoryClientWorks()
    {
        // An emulator of its own: the test creates a task and counts every request the service saw.
        await using var h = await Harness.StartAsync();
        var previous = Environment.GetEnvironmentVariable(EngagementClientOptions.ApiKeyEnvironmentVariable);
        Environment.SetEnvironmentVariable(EngagementClientOptions.ApiKeyEnvironmentVariable, EngagementEmulatorOptions.DefaultApiKey);
        try
        {
            using var factory = new SingleClientFactory();
            using var client = new EngagementClient(factory, new EngagementClientOptions
            {
                BaseAddress = h.Emulator.BaseAddress, AllowInsecureLoopback = true, TimeProvider = h.Time,
            });
            var task = await client.CreateWorkbookAsync(Harness.QuickStartPostUrl, EngagementDataTypes.Reaction, EngagementEmulatorOptions.DefaultWorkspaceId);
            Assert.Equal(EngagementTaskState.Pending, task.State);
            Assert.Equal(EngagementEmulatorOptions.DefaultApiKey, h.Engagement.Requests.Single().ApiKey);

            Environment.SetEnvironmentVariable(EngagementClientOptions.ApiKeyEnvironmentVariable, null);
            var ex = Assert.Throws<ArgumentException>(() => new EngagementClient(new EngagementClientOptions()));
            Assert.Contains(EngagementClientOptions.ApiKeyEnvironmentVariable, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(EngagementClientOptions.ApiKeyEnvironmentVariable, previous);
        }
    }

    [Fact]
    public void TheEmulatorExposesItsDefaultKeysAndWorkspaces()
    {
        var h = shared.Harness;

        Assert.Equal(EngagementEmulatorOptions.DefaultApiKey, h.Engagement.ApiKey);
        Assert.Equal(EngagementEmulatorOptions.DefaultWorkspaceId, h.Engagement.WorkspaceId);
        Assert.Equal(2, h.Engagement.Options.ApiKeys.Count);
        Assert.Same(h.Engagement.Options, h.Emulator.Options.Engagement);
    }

    [Fact]
    public async Task PathsOutsideTheApiAreLeftToTheCrmEmulator()
    {
        var h = shared.Harness;
        using var http = new HttpClient { BaseAddress = h.Emulator.BaseAddress };
        var before = h.Engagement.Requests.Count;

        using var response = await http.GetAsync("crm/people.api");

        Assert.Equal(before, h.Engagement.Requests.Count);
    }

    private sealed class SingleClientFactory : IHttpClientFactory, IDisposable
    {
        private readonly HttpClient _client = new();

        public HttpClient CreateClient(string name)
        {
            Assert.Equal("Workbooks.Engagement", name);
            return _client;
        }

        public void Dispose() => _client.Dispose();
    }
}
