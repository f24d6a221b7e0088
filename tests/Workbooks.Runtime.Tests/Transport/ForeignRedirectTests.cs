using Workbooks.Emulator;
using Workbooks.Runtime.Tests.TestSupport;

namespace Workbooks.Runtime.Tests.Transport;

/// <summary>The service and the other origin, shared by <see cref="ForeignRedirectTests"/>.</summary>
public sealed class ForeignRedirectEmulators : IAsyncLifetime
{
    public WorkbooksEmulator Service { get; private set; } = null!;

    public WorkbooksEmulator Elsewhere { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Service = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 20, OrganisationCount = 20, OtherRecordCount = 1 });
        Elsewhere = await WorkbooksEmulator.StartAsync(new WorkbooksEmulatorOptions { PeopleCount = 1, OrganisationCount = 1, OtherRecordCount = 1 });
    }

    /// <summary>Called at the start of each test: the redirects a test injects go, and both request logs start empty.</summary>
    public void Reset()
    {
        EmulatorHarness.Reset(Service);
        EmulatorHarness.Reset(Elsewhere);
    }

    public async Task DisposeAsync()
    {
        if (Service is not null)
            await Service.DisposeAsync();
        if (Elsewhere is not null)
            await Elsewhere.DisposeAsync();
    }
}

/// <summary>
/// A redirect to another origin never receives a secret (session cookie, API key, authenticity token), whether the
/// session uses its own client or the caller's. The other origin is a second emulator, which records what reaches it.
/// </summary>
/// <remarks>
/// Both emulators are shared by the class: each test connects its own session, the redirects it injects (a hundred, not
/// all used) are cleared and both request logs emptied before the next test, so "nothing reached the other origin"
/// is about this test's requests only.
/// </remarks>
public sealed class ForeignRedirectTests : IClassFixture<ForeignRedirectEmulators>
{
    private readonly WorkbooksEmulator _service;
    private readonly WorkbooksEmulator _elsewhere;

    public ForeignRedirectTests(ForeignRedirectEmulators fixture)
    {
        fixture.Reset();
        _service = fixture.Service;
        _elsewhere = fixture.Elsewhere;
    }

    private WorkbooksOptions Options() => new() { Service = _service.BaseAddress, ApiKey = _service.ApiKey, AllowInsecureLoopback = true, MaxRetries = 0 };

    private void RedirectEverythingElsewhere() =>
        _service.Control.Inject(new EmulatorFault(EmulatorFaultKind.Redirect) { PathContains = "crm/", Location = new Uri(_elsewhere.BaseAddress, "crm/people.api").ToString(), Times = 100 });

    private void AssertNothingReachedTheOtherOrigin()
    {
        var reached = _elsewhere.Control.Requests;
        Assert.True(reached.Count == 0, $"{reached.Count} requests reached the other origin: {string.Join(", ", reached.Select(r => $"{r.Method} {r.Path} cookie={r.Headers.GetValueOrDefault("Cookie")}"))}");
    }

    [Fact]
    public async Task TheLibrarysClientRefusesARedirectToAnotherOriginForReadsAndChanges()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        RedirectEverythingElsewhere();

        var read = await Assert.ThrowsAsync<WorkbooksException>(() => session.Records("crm/people").ToListAsync());
        var changes = session.Changes("crm/organisations");
        var record = new WorkbooksRecord();
        record.Set("name", "Elsewhere Ltd");
        changes.Create(record);
        var change = await Assert.ThrowsAsync<WorkbooksChangeSetException>(() => changes.SubmitAsync());

        Assert.Contains("another origin", read.Message, StringComparison.Ordinal);
        Assert.Contains("another origin", change.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(ChangeOutcome.Failed, change.Result.Results[0].Outcome);
        AssertNothingReachedTheOtherOrigin();
    }

    [Fact]
    public async Task ACallersClientThatFollowsRedirectsIsRefusedBeforeAnySecretIsSent()
    {
        using var followsRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, UseCookies = false });
        RedirectEverythingElsewhere();
        var before = _service.Control.Requests.Count;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => WorkbooksSession.ConnectAsync(Options(), followsRedirects));

        Assert.Contains("AllowAutoRedirect = false", error.Message, StringComparison.Ordinal);
        // Only the probe reached the service (no login, so no API key), and the other origin got only the probe's
        // redirected request, which carries the made-up cookie and no credential.
        Assert.DoesNotContain(_service.Control.Requests.Skip(before), r => r.Path.Contains("login", StringComparison.Ordinal));
        Assert.All(_elsewhere.Control.Requests, r =>
        {
            Assert.Equal("Workbooks-Session=not-a-session", r.Headers.GetValueOrDefault("Cookie"));
            Assert.Null(r.Parameter("api_key"));
            Assert.Null(r.Parameter("_authenticity_token"));
        });
    }

    [Fact]
    public async Task ACallersClientThatFollowsRedirectsIsRefusedEvenWhenNothingRedirectsYet()
    {
        // The probe uses the service's own redirect of an unknown session (to its login page).
        using var followsRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, UseCookies = false });
        await Assert.ThrowsAsync<ArgumentException>(() => WorkbooksSession.ConnectAsync(Options(), followsRedirects));
        AssertNothingReachedTheOtherOrigin();
    }

    [Fact]
    public async Task ACallersClientThatDoesNotFollowRedirectsWorksAndIsProtectedLikeTheLibrarys()
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        await using var session = await WorkbooksSession.ConnectAsync(Options(), client);
        Assert.NotEmpty(await session.Records("crm/people").Take(5).ToListAsync());

        RedirectEverythingElsewhere();
        await Assert.ThrowsAsync<WorkbooksException>(() => session.Records("crm/people").ToListAsync());
        AssertNothingReachedTheOtherOrigin();
    }
}
