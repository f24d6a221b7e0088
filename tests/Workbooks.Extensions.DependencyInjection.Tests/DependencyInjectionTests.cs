using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Workbooks.Emulator;
using Workbooks.Extensions.DependencyInjection;

namespace Workbooks.Extensions.DependencyInjection.Tests;

public sealed class DependencyInjectionTests(SampleEmulatorFixture fixture) : IClassFixture<SampleEmulatorFixture>
{
    private WorkbooksEmulator Emu => fixture.Emulator;

    private sealed record FakeCrm(WorkbooksSession Session);

    [Fact]
    public async Task AddWorkbooksWithOptionsConnectsLazilyOnceAndReadsPeople()
    {
        var services = new ServiceCollection();
        services.AddWorkbooks(o =>
        {
            o.Service = Emu.BaseAddress;
            o.ApiKey = Emu.ApiKey;
            o.AllowInsecureLoopback = true;
        });
        services.AddWorkbooksClient(session => new FakeCrm(session));
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var sessions = provider.GetRequiredService<IWorkbooksSessionProvider>();
        Assert.Same(sessions, provider.GetRequiredService<WorkbooksSessionProvider>());
        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => sessions.GetSessionAsync()));
        Assert.All(all, s => Assert.Same(all[0], s));
        Assert.NotNull(all[0].SessionId);
        Assert.NotNull(all[0].Options.LoggerFactory); // the container's, since none was set
        Assert.Same(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), all[0].Options.MeterFactory); // the container's too

        var people = await all[0].Records("crm/people").SelectFields("name").Take(5).ToListAsync();
        Assert.Equal(5, people.Count);
        Assert.All(people, p => Assert.False(string.IsNullOrEmpty(p.GetString("name"))));

        var crm = await provider.GetRequiredService<IWorkbooksClient<FakeCrm>>().GetAsync();
        Assert.Same(all[0], crm.Session);
        Assert.Same(crm, await provider.GetRequiredService<IWorkbooksClient<FakeCrm>>().GetAsync());
    }

    [Fact]
    public async Task AddWorkbooksWithConfigurationBindsByHandAndLogsInWithAPassword()
    {
        var user = Emu.Users[1];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Workbooks:Service"] = Emu.BaseAddress.ToString(),
            ["Workbooks:Username"] = user.Username,
            ["Workbooks:Password"] = user.Password,
            ["Workbooks:LogicalDatabaseId"] = user.DatabaseIds[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Workbooks:allowinsecureloopback"] = "true",
            ["Workbooks:ApplicationName"] = "DI tests",
            ["Workbooks:UserAgent"] = "di-tests/1.0",
            ["Workbooks:PerObjectTransactions"] = "true",
            ["Workbooks:Timeout"] = "00:00:30",
            ["Workbooks:MaxRetries"] = "1",
            ["Workbooks:Authentication"] = "session",
        }).Build();
        var services = new ServiceCollection();
        services.AddWorkbooks(configuration.GetSection("Workbooks"));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<WorkbooksOptions>>().Value;
        Assert.Equal(Emu.BaseAddress, options.Service);
        Assert.True(options.AllowInsecureLoopback);
        Assert.True(options.PerObjectTransactions);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
        Assert.Equal(1, options.MaxRetries);
        Assert.Equal("DI tests", options.ApplicationName);
        Assert.Equal(WorkbooksAuthentication.Session, options.Authentication);

        var session = await provider.GetRequiredService<IWorkbooksSessionProvider>().GetSessionAsync();
        Assert.Equal(user.DatabaseIds[0], session.LogicalDatabaseId);
        var first = await session.Records("crm/people").SelectFields("name").FirstOrDefaultAsync();
        Assert.NotNull(first);
    }

    [Fact]
    public async Task ApiKeyPerRequestFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Service"] = Emu.BaseAddress.ToString(),
            ["ApiKey"] = Emu.ApiKey,
            ["Authentication"] = "ApiKeyPerRequest",
            ["AllowInsecureLoopback"] = "True",
        }).Build();
        var services = new ServiceCollection();
        services.AddWorkbooks(configuration);
        await using var provider = services.BuildServiceProvider();
        var session = await provider.GetRequiredService<IWorkbooksSessionProvider>().GetSessionAsync();
        Assert.Null(session.SessionId);
        Assert.Equal(3, (await session.Records("crm/people").Take(3).ToListAsync()).Count);
    }

    [Fact]
    public void InvalidConfigurationValuesNameTheKeyNotASecret()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Workbooks:Password"] = "secret-canary",
            ["Workbooks:LogicalDatabaseId"] = "three",
        }).Build();
        var options = new WorkbooksOptions();
        var e = Assert.Throws<InvalidOperationException>(() => WorkbooksConfigurationBinder.Bind(configuration.GetSection("Workbooks"), options));
        Assert.Contains("Workbooks:LogicalDatabaseId", e.Message);
        Assert.DoesNotContain("secret-canary", e.Message);
    }

    [Fact]
    public async Task AFailedConnectionIsNotCachedAndBadCredentialsSurfaceAsLoginExceptions()
    {
        var key = "00000-00000-00000-00000-00000-00000-00000-00000";
        var services = new ServiceCollection();
        services.AddWorkbooks(o =>
        {
            o.Service = Emu.BaseAddress;
            o.ApiKey = key;
            o.AllowInsecureLoopback = true;
        });
        services.Configure<WorkbooksOptions>(o => o.ApiKey = key);
        await using var provider = services.BuildServiceProvider();
        var sessions = provider.GetRequiredService<IWorkbooksSessionProvider>();
        var e = await Assert.ThrowsAsync<WorkbooksLoginException>(() => sessions.GetSessionAsync());
        Assert.Equal(LoginFailureReason.UnrecognisedNameOrPassword, e.FailureReason);
        await Assert.ThrowsAsync<WorkbooksLoginException>(() => sessions.GetSessionAsync());
    }

    [Fact]
    public async Task DisposingTheContainerLogsTheSessionOut()
    {
        var services = new ServiceCollection();
        services.AddWorkbooks(o =>
        {
            o.Service = Emu.BaseAddress;
            o.ApiKey = Emu.ApiKey;
            o.AllowInsecureLoopback = true;
        });
        var provider = services.BuildServiceProvider();
        var sessions = provider.GetRequiredService<IWorkbooksSessionProvider>();
        var session = await sessions.GetSessionAsync();
        await provider.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.Records("crm/people").Take(1).ToListAsync());
        Assert.Throws<ObjectDisposedException>(() => { _ = sessions.GetSessionAsync(); });
    }

    [Fact]
    public async Task TheRegisteredClientDoesNotFollowRedirects()
    {
        var services = new ServiceCollection();
        services.AddWorkbooks(o => o.Service = new Uri("https://example.invalid/"));
        await using var provider = services.BuildServiceProvider();

        // The primary handler is configured as the session needs it.
        var handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(WorkbooksServiceCollectionExtensions.HttpClientName);
        while (handler is DelegatingHandler delegating) handler = delegating.InnerHandler!;
        var sockets = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.False(sockets.AllowAutoRedirect);
        Assert.False(sockets.UseCookies);
        Assert.Equal(DecompressionMethods.None, sockets.AutomaticDecompression); // the session asks for gzip when it pays and decodes it

        // And over the wire: a 302 comes back to the caller instead of being followed.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var requests = 0;
        var server = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref requests);
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var read = 0;
                while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                    read += await stream.ReadAsync(buffer.AsMemory(read));
                await stream.WriteAsync("HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            }
        });
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(WorkbooksServiceCollectionExtensions.HttpClientName);
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/start"));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/elsewhere", response.Headers.Location?.OriginalString);
        Assert.Equal(1, Volatile.Read(ref requests));
        listener.Stop();
    }
}
