using Sample.Crm;
using Workbooks.Emulator;

namespace Workbooks.EndToEnd.Tests.TestSupport;

/// <summary>The base of a test class that uses the generated client against an emulator of its own, over HTTP.</summary>
public abstract class EmulatorClientTests(int people, int organisations) : IAsyncLifetime
{
    protected WorkbooksEmulator Emu { get; private set; } = null!;

    protected WorkbooksSession Session { get; private set; } = null!;

    protected SampleCrm Crm { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emu = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = people, OrganisationCount = organisations, OtherRecordCount = 1 });
        Session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = Emu.BaseAddress, ApiKey = Emu.ApiKey, AllowInsecureLoopback = true });
        Crm = new SampleCrm(Session);
    }

    public async Task DisposeAsync()
    {
        await Session.DisposeAsync();
        await Emu.DisposeAsync();
    }
}
