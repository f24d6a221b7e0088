using Workbooks.Emulator;

namespace Workbooks.Runtime.Tests.Transport;

/// <summary>Compression is asked for where it pays: a remote service yes, a loopback or private-network one no; an option either way.</summary>
public sealed class CompressionTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080/", true)]
    [InlineData("http://localhost/", true)]
    [InlineData("http://[::1]/", true)]
    [InlineData("https://10.1.2.3/", true)]
    [InlineData("https://172.16.0.9/", true)]
    [InlineData("https://172.31.255.1/", true)]
    [InlineData("https://192.168.1.20/", true)]
    [InlineData("https://[fd12::1]/", true)]
    [InlineData("https://crm.office.local/", true)]
    [InlineData("https://secure.workbooks.com/", false)]
    [InlineData("https://172.32.0.1/", false)]
    [InlineData("https://8.8.8.8/", false)]
    public void TheServicesAddressDecidesByDefault(string service, bool local)
    {
        Assert.Equal(local, WorkbooksOptions.IsLocal(new Uri(service)));
        var options = new WorkbooksOptions { Service = new Uri(service) };
        Assert.Equal(!local, options.UsesCompression);
        Assert.Equal(local ? "Workbooks.Generated/1.0" : "Workbooks.Generated/1.0 (gzip)", options.EffectiveUserAgent);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task AgainstTheEmulatorOnLoopbackGzipIsAskedForOnlyWhenChosen(bool? compression, bool asked)
    {
        await using var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 120, OrganisationCount = 5, OtherRecordCount = 1 });
        await using var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions
        {
            Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true, Compression = compression,
        });

        var people = await session.Records("crm/people").ToListAsync();

        Assert.Equal(120, people.Count);
        var read = emulator.Control.Requests.Last(r => r.Path == "/crm/people.api");
        Assert.Equal(asked, read.Headers.GetValueOrDefault("Accept-Encoding", "").Contains("gzip", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(asked, read.Headers.GetValueOrDefault("User-Agent", "").Contains("gzip", StringComparison.OrdinalIgnoreCase));
    }
}
