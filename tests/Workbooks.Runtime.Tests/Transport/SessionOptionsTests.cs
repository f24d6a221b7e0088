using Workbooks.Emulator;

namespace Workbooks.Runtime.Tests.Transport;

public sealed class SessionOptionsTests
{
    [Fact]
    public async Task OptionsAreFrozenWhenTheSessionConnects()
    {
        await using var emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 5, OrganisationCount = 5, OtherRecordCount = 1 });
        var options = new WorkbooksOptions { Service = emu.BaseAddress, ApiKey = emu.ApiKey, AllowInsecureLoopback = true, MaxRetries = 2 };
        await using var session = await WorkbooksSession.ConnectAsync(options);

        options.MaxRetries = 9; // the caller's object stays theirs
        Assert.Equal(2, session.Options.MaxRetries);
        Assert.True(session.Options.IsFrozen);
        Assert.False(options.IsFrozen);
        var refused = Assert.Throws<InvalidOperationException>(() => session.Options.MaxRetries = 0);
        Assert.Contains("connected WorkbooksSession", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => session.Options.Service = new Uri("https://elsewhere.example/"));
        Assert.Equal(2, session.Options.MaxRetries);
    }

    [Fact]
    public async Task LogoutIsARequestKindOfItsOwnSentWithTheCookieAndWithoutClientApi()
    {
        await using var emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 5, OrganisationCount = 5, OtherRecordCount = 1 });
        var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = emu.BaseAddress, ApiKey = emu.ApiKey, AllowInsecureLoopback = true });
        await session.DisposeAsync();

        var logout = emu.Control.Requests.Last();
        Assert.Equal("/logout", logout.Path);
        Assert.Equal("POST", logout.Method);
        Assert.Null(logout.Parameter("client"));
        Assert.Contains("Workbooks-Session=", logout.Headers.GetValueOrDefault("Cookie") ?? "", StringComparison.Ordinal);
        Assert.Equal("POST logout", new WorkbooksRequest(WorkbooksRequestKind.Logout, "logout").ToString());
    }
}
