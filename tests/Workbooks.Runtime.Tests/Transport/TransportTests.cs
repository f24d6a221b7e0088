using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Workbooks.Emulator;
using Workbooks.Runtime.Tests.TestSupport;
using Workbooks.Transport;

namespace Workbooks.Runtime.Tests.Transport;

/// <summary>Captures every log line, to prove secrets never reach logs.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    public List<string> Lines { get; } = [];
    public void AddProvider(ILoggerProvider provider) { }
    public ILogger CreateLogger(string categoryName) => new Logger(this);
    public void Dispose() { }

    private sealed class Logger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.Lines) owner.Lines.Add(formatter(state, exception) + exception);
        }
    }
}

public sealed class TransportEmulator() : EmulatorFixture(people: 300, organisations: 100, others: 5, connect: false);

/// <remarks>
/// One emulator for the class: each test connects sessions of its own, its injected fault or forced login failure is
/// consumed by its own requests (and cleared before the next test), and the request log starts empty for each test. A
/// test that cannot share starts its own emulator.
/// </remarks>
public sealed class TransportTests(TransportEmulator fixture) : SharedEmulatorTests<TransportEmulator>(fixture)
{
    private WorkbooksOptions Options(Action<WorkbooksOptions>? configure = null)
    {
        var options = new WorkbooksOptions { Service = Emu.BaseAddress, ApiKey = Emu.ApiKey, AllowInsecureLoopback = true, RetryDelay = TimeSpan.FromMilliseconds(5), MaxRetryDelay = TimeSpan.FromMilliseconds(20) };
        configure?.Invoke(options);
        return options;
    }

    private static async Task<JsonElement> JsonAsync(WorkbooksSession session, WorkbooksRequest request)
    {
        using var response = await session.SendAsync(request);
        using var doc = await JsonDocument.ParseAsync(response.Content);
        return doc.RootElement.Clone();
    }

    private static WorkbooksRequest People(int limit = 5) =>
        new WorkbooksRequest(WorkbooksRequestKind.Read, "crm/people").Add("_start", "0").Add("_limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)).Add("_sort", "id");

    [Fact]
    public async Task ApiKeyLoginOpensASessionAndDisposeLogsOut()
    {
        var session = await WorkbooksSession.ConnectAsync(Options());
        Assert.Matches("^[0-9a-f]{32}$", session.SessionId);
        Assert.Equal(3, session.LogicalDatabaseId);
        var page = await JsonAsync(session, People());
        Assert.Equal(5, page.GetProperty("data").GetArrayLength());
        var id = session.SessionId;
        await session.DisposeAsync();
        var logout = Emu.Control.Requests.Last();
        Assert.Equal("/logout", logout.Path);
        Assert.Equal(302, logout.StatusCode);
        Assert.Contains(id!, logout.Headers["Cookie"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordLoginWithSeveralDatabasesGivesATypedAnswerListingThem()
    {
        var consultant = Emu.Users.Single(u => u.DatabaseIds.Count > 1);
        var e = await Assert.ThrowsAsync<WorkbooksDatabaseSelectionRequiredException>(() =>
            WorkbooksSession.ConnectAsync(Options(o => { o.ApiKey = null; o.Username = consultant.Username; o.Password = consultant.Password; })));
        Assert.Equal(LoginFailureReason.NoDatabaseSelectionMade, e.FailureReason);
        Assert.Equal([3, 6], e.Databases.Select(d => d.Id));

        await using var chosen = await WorkbooksSession.ConnectAsync(Options(o => { o.ApiKey = null; o.Username = consultant.Username; o.Password = consultant.Password; o.LogicalDatabaseId = e.Databases[1].Id; }));
        Assert.Equal(6, chosen.LogicalDatabaseId);
        Assert.Equal("Sample Sandbox", chosen.DatabaseName);
    }

    [Fact]
    public async Task ReconnectingASavedSessionIdWorks()
    {
        var admin = Emu.Users[0];
        var first = await WorkbooksSession.ConnectAsync(Options(o => { o.ApiKey = null; o.Username = admin.Username; o.Password = admin.Password; }));
        var saved = first.SessionId!;
        await using var again = await WorkbooksSession.ConnectAsync(Options(o => { o.ApiKey = null; o.Username = admin.Username; o.SessionId = saved; o.LogicalDatabaseId = 3; }));
        Assert.NotEqual(saved, again.SessionId);
        Assert.Equal(5, (await JsonAsync(again, People())).GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("unrecognised_name_or_password", LoginFailureReason.UnrecognisedNameOrPassword)]
    [InlineData("database_being_migrated", LoginFailureReason.DatabaseBeingMigrated)]
    [InlineData("client_not_activated", LoginFailureReason.ClientNotActivated)]
    [InlineData("a_reason_added_next_year", LoginFailureReason.Unknown)]
    public async Task LoginFailuresBecomeTypedErrorsWithTheRawReason(string reason, LoginFailureReason expected)
    {
        Emu.Control.ForcedLoginFailure = reason;
        var e = await Assert.ThrowsAsync<WorkbooksLoginException>(() => WorkbooksSession.ConnectAsync(Options()));
        Assert.Equal(expected, e.FailureReason);
        Assert.Equal(reason, e.FailureReasonText);
        Assert.NotNull(e.Status);
    }

    [Fact]
    public async Task ASessionThatExpiresMidWorkIsReestablishedAndTheReadReplayedOnce()
    {
        await using var own = await UseOwnEmulatorAsync(); // its own: it expires every session on the server
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        var before = session.SessionId;
        Emu.Control.ExpireAllSessions();
        var page = await JsonAsync(session, People(3));
        Assert.Equal(3, page.GetProperty("data").GetArrayLength());
        Assert.Equal(1, session.ReloginCount);
        Assert.NotEqual(before, session.SessionId);
    }

    [Fact]
    public async Task AChangeRejectedForAnExpiredSessionIsReplayedAfterLoginAndAppliedOnce()
    {
        await using var own = await UseOwnEmulatorAsync(); // its own: it expires every session and counts organisations, which other tests create
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        Emu.Control.ExpireAllSessions();
        var before = Emu.DefaultDatabase.Count("crm/organisations");
        var response = await JsonAsync(session, new WorkbooksRequest(WorkbooksRequestKind.Change, "crm/organisations")
            .Add("__method[]", "POST").Add("id[]", "0").Add("lock_version[]", "0").Add("name[]", "Replayed Once Ltd"));
        Assert.True(response.GetProperty("success").GetBoolean(), response.ToString());
        Assert.Equal(before + 1, Emu.DefaultDatabase.Count("crm/organisations"));
    }

    [Fact]
    public async Task AnUnknownSessionCookieLeadsToLoginAgain()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        session.Pipeline.Session.Establish("0123456789abcdef0123456789abcdef", session.Pipeline.Session.AuthenticityToken);
        Assert.Equal(5, (await JsonAsync(session, People())).GetProperty("data").GetArrayLength());
        Assert.Equal(1, session.ReloginCount);
    }

    [Fact]
    public async Task ADelayingRedirectIsFollowedBackToTheRequest()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.DelayingRedirect) { PathContains = "crm/people", Delay = TimeSpan.FromMilliseconds(30) });
        var page = await JsonAsync(session, People(4));
        Assert.Equal(4, page.GetProperty("data").GetArrayLength());
        Assert.Contains(Emu.Control.Requests, r => r.Path.StartsWith("/_delay/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADelayedChangeIsResentWithItsBodyAndAppliedOnce()
    {
        await using var own = await UseOwnEmulatorAsync(); // its own: it counts organisations, which other tests create
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.DelayingRedirect) { PathContains = "crm/organisations", Method = "PUT", Delay = TimeSpan.FromMilliseconds(10) });
        var before = Emu.DefaultDatabase.Count("crm/organisations");
        var response = await JsonAsync(session, new WorkbooksRequest(WorkbooksRequestKind.Change, "crm/organisations")
            .Add("__method[]", "POST").Add("id[]", "0").Add("lock_version[]", "0").Add("name[]", "Delayed Ltd"));
        Assert.True(response.GetProperty("success").GetBoolean(), response.ToString());
        Assert.Equal(before + 1, Emu.DefaultDatabase.Count("crm/organisations"));
    }

    [Fact]
    public async Task EndlessRedirectsGiveUpAtTheBound()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options(o => o.MaxRedirects = 2));
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.DelayingRedirect) { PathContains = "crm/people", Times = 10, Delay = TimeSpan.Zero });
        await Assert.ThrowsAsync<WorkbooksRateLimitException>(() => JsonAsync(session, People()));
        Emu.Control.ClearFaults();
    }

    [Fact]
    public async Task AServerErrorOnAReadIsRetried()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = "crm/people", Times = 2, StatusCode = 503 });
        Assert.Equal(5, (await JsonAsync(session, People())).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task AServerErrorOnAChangeIsNotRetriedAndCarriesTheExceptionReference()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = "crm/organisations", Method = "PUT" });
        Emu.Control.ClearRequests();
        var e = await Assert.ThrowsAsync<WorkbooksServiceException>(() => JsonAsync(session, new WorkbooksRequest(WorkbooksRequestKind.Change, "crm/organisations")
            .Add("__method[]", "POST").Add("id[]", "0").Add("lock_version[]", "0").Add("name[]", "Not Retried Ltd")));
        Assert.Equal(HttpStatusCode.InternalServerError, e.Status);
        Assert.StartsWith("EMU-FAULT", e.ExceptionReference, StringComparison.Ordinal);
        Assert.Single(Emu.Control.Requests, r => r.Path == "/crm/organisations.api");
    }

    [Fact]
    public async Task ADroppedConnectionOnAChangeIsReportedAsAnUnknownOutcome()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.DropConnectionAfterProcessing) { PathContains = "crm/organisations", Method = "PUT" });
        var e = await Assert.ThrowsAsync<WorkbooksTransportException>(() => JsonAsync(session, new WorkbooksRequest(WorkbooksRequestKind.Change, "crm/organisations")
            .Add("__method[]", "POST").Add("id[]", "0").Add("lock_version[]", "0").Add("name[]", "Maybe Ltd")));
        Assert.True(e.OutcomeUnknown);
    }

    [Fact]
    public async Task TheApiKeyNeverAppearsInLogsOrExceptions()
    {
        var logs = new CapturingLoggerFactory();
        var messages = new List<string>();
        foreach (var mode in new[] { WorkbooksAuthentication.Session, WorkbooksAuthentication.ApiKeyPerRequest })
        {
            await using var session = await WorkbooksSession.ConnectAsync(Options(o => { o.LoggerFactory = logs; o.Authentication = mode; o.MaxRetries = 0; }));
            await JsonAsync(session, People());
            Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.ServerError) { PathContains = "crm/people" });
            messages.Add((await Assert.ThrowsAsync<WorkbooksServiceException>(() => JsonAsync(session, People()))).ToString());
            messages.Add((await Assert.ThrowsAsync<WorkbooksRequestException>(() => JsonAsync(session, People().Add("_ff[]", "nope").Add("_ft[]", "eq").Add("_fc[]", "1")))).ToString());
        }
        Emu.Control.ForcedLoginFailure = "login_disabled";
        messages.Add((await Assert.ThrowsAsync<WorkbooksLoginException>(() => WorkbooksSession.ConnectAsync(Options(o => o.LoggerFactory = logs)))).ToString());

        Assert.NotEmpty(logs.Lines);
        Assert.Contains(logs.Lines, l => l.Contains("api_key=***", StringComparison.Ordinal));
        foreach (var text in logs.Lines.Concat(messages))
        {
            Assert.DoesNotContain(Emu.ApiKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain("_authenticity_token=" + "0", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PerRequestApiKeyModeNeedsNoLogin()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options(o => o.Authentication = WorkbooksAuthentication.ApiKeyPerRequest));
        Assert.Null(session.SessionId);
        Emu.Control.ClearRequests();
        Assert.Equal(5, (await JsonAsync(session, People())).GetProperty("data").GetArrayLength());
        Assert.DoesNotContain(Emu.Control.Requests, r => r.Path == "/login.api");
        Assert.Equal(Emu.ApiKey, Emu.Control.Requests.Last().Parameter("api_key"));
    }

    [Fact]
    public async Task LongReadsTravelAsPostWithMethodGet()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options(o => o.MaxUrlLength = 100));
        Emu.Control.ClearRequests();
        var request = People(2);
        for (var i = 0; i < 20; i++) request.Add("_select_columns[]", "person_first_name");
        Assert.Equal(2, (await JsonAsync(session, request)).GetProperty("data").GetArrayLength());
        var sent = Emu.Control.Requests.Last();
        Assert.Equal("GET", sent.Method);
        Assert.Equal("GET", sent.Parameter("_method"));
        Assert.Equal("api", sent.Parameter("client"));
        Assert.NotNull(sent.Parameter("_dc"));
    }

    [Fact]
    public async Task ChangesCanTravelAsPostWithMethodPut()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options(o => o.UseMethodOverride = true));
        var response = await JsonAsync(session, new WorkbooksRequest(WorkbooksRequestKind.Change, "crm/organisations")
            .Add("__method[]", "POST").Add("id[]", "0").Add("lock_version[]", "0").Add("name[]", "Override Ltd"));
        Assert.True(response.GetProperty("success").GetBoolean());
        Assert.Equal("PUT", Emu.Control.Requests.Last(r => r.Path == "/crm/organisations.api").Parameter("_method"));
    }

    [Fact]
    public async Task GzipSessionsAreDecoded()
    {
        await using var session = await WorkbooksSession.ConnectAsync(Options(o => o.UserAgent = "tests/1.0 (gzip)"));
        Assert.Equal(5, (await JsonAsync(session, People())).GetProperty("data").GetArrayLength());
        Assert.Contains("gzip", Emu.Control.Requests.Last().Headers["Accept-Encoding"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancellationIsHonoured()
    {
        await using var own = await UseOwnEmulatorAsync(); // its own: the slow request it gives up on may still be running on the server after the test
        await using var session = await WorkbooksSession.ConnectAsync(Options());
        Emu.Control.Inject(new EmulatorFault(EmulatorFaultKind.Slow) { PathContains = "crm/people", Delay = TimeSpan.FromSeconds(5) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.SendAsync(People(), cts.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3), "cancellation did not stop the request");
    }

    [Theory]
    [InlineData("http://example.com/", true, "must use HTTPS")]
    [InlineData("http://127.0.0.1:1/", false, "AllowInsecureLoopback")]
    [InlineData("relative/", true, "absolute")]
    public void OptionsAreValidatedWithClearMessages(string service, bool allowLoopback, string expected)
    {
        var options = new WorkbooksOptions { Service = new Uri(service, UriKind.RelativeOrAbsolute), ApiKey = "k", AllowInsecureLoopback = allowLoopback };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CredentialsAreRequired()
    {
        var e = Assert.Throws<ArgumentException>(new WorkbooksOptions { Service = new Uri("https://secure.workbooks.com/") }.Validate);
        Assert.Contains("ApiKey", e.Message, StringComparison.Ordinal);
    }
}
