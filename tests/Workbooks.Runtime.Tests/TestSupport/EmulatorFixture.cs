using Workbooks.Emulator;

namespace Workbooks.Runtime.Tests.TestSupport;

/// <summary>An emulator and, when asked for, a session connected to it with its API key; disposing it disposes both.</summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    private readonly WorkbooksSession? _session;

    private EmulatorHarness(WorkbooksEmulator emulator, WorkbooksSession? session)
    {
        Emulator = emulator;
        _session = session;
    }

    public WorkbooksEmulator Emulator { get; }

    /// <summary>The connected session (only for a harness started with <c>connect: true</c>).</summary>
    public WorkbooksSession Session => _session ?? throw new InvalidOperationException("This emulator was started without a session.");

    public static async Task<EmulatorHarness> StartAsync(int people, int organisations, int others, bool connect)
    {
        var emulator = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = people, OrganisationCount = organisations, OtherRecordCount = others });
        if (!connect)
            return new EmulatorHarness(emulator, null);
        try
        {
            var session = await WorkbooksSession.ConnectAsync(new WorkbooksOptions { Service = emulator.BaseAddress, ApiKey = emulator.ApiKey, AllowInsecureLoopback = true });
            return new EmulatorHarness(emulator, session);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Puts an emulator's control knobs back as a fresh one has them: no pending fault, no churn, no forced login
    /// failure, an empty request log (so a test that reads the log sees only its own requests).
    /// </summary>
    public static void Reset(WorkbooksEmulator emulator)
    {
        emulator.Control.ClearFaults();
        emulator.Control.Churn = null;
        emulator.Control.ForcedLoginFailure = null;
        emulator.Control.ClearRequests();
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
            await _session.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}

/// <summary>
/// One emulator (and, for a class that uses one, a connected session) shared by a test class. xUnit runs a class's
/// tests one at a time, so sharing is safe for tests that leave nothing behind another could see: they use records of
/// their own (or ones no other test of the class changes), never assert on counts another test changes, never change
/// server-wide state (options, every session's expiry) and leave no request running on the server. The class calls
/// <see cref="Reset"/> from its constructor; a test that cannot share starts its own with <see cref="StartOwnAsync"/>.
/// </summary>
public abstract class EmulatorFixture(int people, int organisations, int others, bool connect = true) : IAsyncLifetime
{
    private EmulatorHarness? _harness;

    public WorkbooksEmulator Emulator => Harness.Emulator;

    public WorkbooksSession Session => Harness.Session;

    private EmulatorHarness Harness => _harness ?? throw new InvalidOperationException("The fixture has not been initialised.");

    /// <summary>Called at the start of each test: see <see cref="EmulatorHarness.Reset"/>.</summary>
    public void Reset() => EmulatorHarness.Reset(Emulator);

    /// <summary>Another emulator (and session) of the same size, for a test that must not share; the caller disposes it.</summary>
    public Task<EmulatorHarness> StartOwnAsync() => EmulatorHarness.StartAsync(people, organisations, others, connect);

    public async Task InitializeAsync() => _harness = await StartOwnAsync();

    public async Task DisposeAsync()
    {
        if (_harness is not null)
            await _harness.DisposeAsync();
    }
}

/// <summary>
/// The base of a test class sharing an <see cref="EmulatorFixture"/>: each test starts from a reset emulator, and a test
/// that cannot share moves to one of its own with <see cref="UseOwnEmulatorAsync"/> (xUnit makes an instance per test,
/// so only that test moves).
/// </summary>
public abstract class SharedEmulatorTests<TFixture> : IClassFixture<TFixture> where TFixture : EmulatorFixture
{
    private readonly TFixture _fixture;
    private EmulatorHarness? _own;

    protected SharedEmulatorTests(TFixture fixture)
    {
        fixture.Reset();
        _fixture = fixture;
    }

    /// <summary>The emulator this test uses.</summary>
    protected WorkbooksEmulator Emu => _own?.Emulator ?? _fixture.Emulator;

    /// <summary>The session this test uses (for a fixture that connects one).</summary>
    protected WorkbooksSession Session => _own?.Session ?? _fixture.Session;

    /// <summary>Moves the calling test to an emulator (and session) of its own; dispose what it returns.</summary>
    protected async Task<EmulatorHarness> UseOwnEmulatorAsync() => _own = await _fixture.StartOwnAsync();
}
