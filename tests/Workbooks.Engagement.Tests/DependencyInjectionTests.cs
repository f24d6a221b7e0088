using Microsoft.Extensions.DependencyInjection;
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

    private sealed class CountingHandler(Action count) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            count();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
