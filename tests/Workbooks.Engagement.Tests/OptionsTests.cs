using System.Net.Http;
using System.Reflection;
using Microsoft.Extensions.Time.Testing;
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

    [Fact]
    public void EverySettablePublicPropertySurvivesTheValidatedCopy()
    {
        // A value other than the default for every settable property, valid together. A property added later fails
        // here until it has a sample value: then the copy is checked for it too.
        var original = new EngagementClientOptions();
        var properties = typeof(EngagementClientOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic).ToList();
        using var meterFactory = new TestMeterFactory();
        var samples = new Dictionary<string, object>
        {
            [nameof(EngagementClientOptions.BaseAddress)] = new Uri("https://engagement.example/v2/"),
            [nameof(EngagementClientOptions.ApiKey)] = "sample-key",
            [nameof(EngagementClientOptions.TimeProvider)] = new FakeTimeProvider(),
            [nameof(EngagementClientOptions.HttpClientName)] = "sample-client",
            [nameof(EngagementClientOptions.LoggerFactory)] = new CapturingLoggerFactory(),
            [nameof(EngagementClientOptions.MeterFactory)] = meterFactory,
            [nameof(EngagementClientOptions.BlockedTaskMaxWait)] = TimeSpan.FromMinutes(3),
        };
        foreach (var property in properties)
        {
            var value = samples.TryGetValue(property.Name, out var sample) ? sample : property.PropertyType switch
            {
                var t when t == typeof(bool) => !(bool)property.GetValue(original)!,
                var t when t == typeof(int) => (int)property.GetValue(original)! + 7,
                var t when t == typeof(double) => (double)property.GetValue(original)! + 0.25,
                var t when t == typeof(TimeSpan) => (TimeSpan)property.GetValue(original)! + TimeSpan.FromSeconds(7),
                _ => throw new InvalidOperationException($"Give EngagementClientOptions.{property.Name} ({property.PropertyType}) a sample value here."),
            };
            Assert.NotEqual(property.GetValue(original), value);
            property.SetValue(original, value);
        }
        original.AllowInsecureLoopback = true; // (https is used: the value only has to differ from the default)

        var copy = original.ValidatedCopy();

        Assert.NotSame(original, copy);
        Assert.Contains(properties, p => p.Name == nameof(EngagementClientOptions.LoggerFactory));
        Assert.Contains(properties, p => p.Name == nameof(EngagementClientOptions.MeterFactory));
        foreach (var property in properties)
            Assert.True(Equals(property.GetValue(original), property.GetValue(copy)), $"EngagementClientOptions.{property.Name} is lost by ValidatedCopy.");
    }

    [Fact]
    public void TheCopyIsTheClientsOwnLaterChangesDoNotReachIt()
    {
        var logs = new CapturingLoggerFactory();
        var options = new EngagementClientOptions { ApiKey = "k", LoggerFactory = logs };
        var copy = options.ValidatedCopy();
        options.LoggerFactory = null;
        options.ApiKey = "changed";

        Assert.Same(logs, copy.LoggerFactory);
        Assert.Equal("k", copy.ApiKey);
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
